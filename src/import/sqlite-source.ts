import * as fs from 'node:fs';
import initSqlJs, { Database, SqlValue } from 'sql.js';
import { ImportRefused, PageKey, quote, ReferenceSource, Row, Value } from './reference-source';

/** SQLite's file header: every database file starts with it. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * The reference's default database (`sogs.db`), read with sql.js: SQLite compiled to WebAssembly,
 * so nothing is built on install. sql.js holds the whole file in memory (about its size once).
 */
export class SqliteSource implements ReferenceSource {
  private constructor(
    private readonly db: Database,
    readonly description: string,
  ) {}

  static async open(file: string): Promise<SqliteSource> {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (err) {
      throw new ImportRefused(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (!bytes.subarray(0, 16).equals(SQLITE_MAGIC)) {
      throw new ImportRefused(`${file} is not a session-pysogs database: it is not an SQLite database file`);
    }
    for (const suffix of ['-wal', '-journal']) {
      if (fs.existsSync(file + suffix) && fs.statSync(file + suffix).size > 0) {
        throw new ImportRefused(
          `${file}${suffix} exists: the reference server is still running, or stopped without finishing its last write. ` +
            'Stop it cleanly (or open the database once with sqlite3 and quit) and import again',
        );
      }
    }
    const SQL = await initSqlJs();
    const db = new SQL.Database(bytes);
    try {
      db.exec('PRAGMA query_only = ON');
      db.exec('SELECT count(*) FROM sqlite_master');
    } catch (err) {
      db.close();
      throw new ImportRefused(`${file} is not a readable SQLite database: ${(err as Error).message}`);
    }
    return new SqliteSource(db, `SQLite ${file}`);
  }

  async tables(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const [name] of this.all(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`)) {
      out.set(String(name), this.all(`SELECT name FROM pragma_table_info(?)`, [name]).map(([c]) => String(c)));
    }
    return out;
  }

  async count(table: string): Promise<number> {
    return Number(this.all(`SELECT count(*) FROM ${quote(table)}`)[0][0]);
  }

  async page(table: string, columns: readonly string[], key: PageKey, after: Value[] | null, limit: number): Promise<Row[]> {
    const keys = keyColumns(key);
    const where = after ? `WHERE (${keys.join(', ')}) > (${keys.map(() => '?').join(', ')})` : '';
    return this.all(
      `SELECT ${[...columns.map(quote), ...keys].join(', ')} FROM ${quote(table)} ${where} ORDER BY ${keys.join(', ')} LIMIT ?`,
      [...(after ?? []), limit],
    );
  }

  async keyAt(table: string, key: PageKey, offset: number): Promise<Value[] | undefined> {
    const keys = keyColumns(key);
    return this.all(`SELECT ${keys.join(', ')} FROM ${quote(table)} ORDER BY ${keys.join(', ')} LIMIT 1 OFFSET ?`, [offset])[0];
  }

  async rowByKey(table: string, columns: readonly string[], key: PageKey, values: Value[]): Promise<Row | undefined> {
    const keys = keyColumns(key);
    return this.all(
      `SELECT ${[...columns.map(quote), ...keys].join(', ')} FROM ${quote(table)} WHERE (${keys.join(', ')}) = (${keys.map(() => '?').join(', ')})`,
      values,
    )[0];
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private all(sql: string, params: Value[] = []): Row[] {
    const stmt = this.db.prepare(sql);
    try {
      stmt.bind(params.map(toSql));
      const rows: Row[] = [];
      while (stmt.step()) rows.push(stmt.get().map(fromSql));
      return rows;
    } finally {
      stmt.free();
    }
  }
}

function keyColumns(key: PageKey): string[] {
  return key === 'physical' ? ['rowid'] : key.columns.map(quote);
}

function toSql(v: Value): SqlValue {
  if (Buffer.isBuffer(v)) return new Uint8Array(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

function fromSql(v: SqlValue): Value {
  return v instanceof Uint8Array ? Buffer.from(v) : v; // a copy: the bytes outlive the statement
}
