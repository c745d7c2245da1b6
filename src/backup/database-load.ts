import type { QueryRunner } from 'typeorm';
import { BackupArchiveError, ident, Manifest } from './archive-format';
import { listTables, tableColumns } from './database-dump';

/** One INSERT takes at most this much JSON, or this many rows. */
const INSERT_BYTES = 4 * 1024 * 1024;
const INSERT_ROWS = 5000;

interface ForeignKey {
  table: string;
  name: string;
  definition: string;
}

/**
 * Loads the rows of an archive into a freshly migrated schema, inside the caller's transaction,
 * exactly as they were: no trigger fires (they would renumber messages, bump room counters, add
 * history rows), and the foreign keys, which would need a load order the schema's cycles (rooms ↔
 * files) do not have, are dropped for the load and added back after it, which checks every row.
 * Both need only ownership of the tables (the restoring user has just created them), not
 * superuser rights, so the same path serves PGlite and any PostgreSQL role.
 */
export class DatabaseLoad {
  private readonly loaded = new Map<string, number>();

  private constructor(
    private readonly runner: QueryRunner,
    private readonly manifest: Manifest,
    private readonly foreignKeys: ForeignKey[],
  ) {}

  static async begin(runner: QueryRunner, manifest: Manifest): Promise<DatabaseLoad> {
    await checkSchema(runner, manifest);
    const foreignKeys = (await runner.query(
      `SELECT c.conrelid::regclass::text AS "table", c.conname AS name, pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
       ORDER BY c.conrelid::regclass::text, c.conname`,
    )) as ForeignKey[];
    for (const fk of foreignKeys) await runner.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${ident(fk.name)}`);
    for (const table of Object.keys(manifest.tables)) await runner.query(`ALTER TABLE ${ident(table)} DISABLE TRIGGER USER`);
    return new DatabaseLoad(runner, manifest, foreignKeys);
  }

  /** One part of a table: JSON lines as the dump wrote them. */
  async part(table: string, data: Buffer): Promise<void> {
    const columns = this.manifest.tables[table]?.columns;
    if (!columns) throw new BackupArchiveError(`the archive holds rows for ${table}, which its manifest does not list`);
    const list = columns.map(ident).join(', ');
    const insert = `INSERT INTO ${ident(table)} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${ident(table)}, $1::json)`;
    let batch: string[] = [];
    let bytes = 0;
    const flush = async () => {
      if (!batch.length) return;
      await this.runner.query(insert, [`[${batch.join(',')}]`]);
      this.loaded.set(table, (this.loaded.get(table) ?? 0) + batch.length);
      batch = [];
      bytes = 0;
    };
    const text = data.toString('utf8');
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end);
      start = end + 1;
      if (!line) continue;
      batch.push(line);
      bytes += line.length;
      if (bytes >= INSERT_BYTES || batch.length >= INSERT_ROWS) await flush();
    }
    await flush();
  }

  /** Triggers and foreign keys back, sequences as they were, every count checked. Returns the row count. */
  async finish(): Promise<number> {
    for (const table of Object.keys(this.manifest.tables)) await this.runner.query(`ALTER TABLE ${ident(table)} ENABLE TRIGGER USER`);
    for (const fk of this.foreignKeys) {
      await this.runner.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT ${ident(fk.name)} ${fk.definition}`);
    }
    for (const [name, s] of Object.entries(this.manifest.sequences)) {
      await this.runner.query(`SELECT setval($1::regclass, $2::bigint, $3)`, [ident(name), s.value, s.called]);
    }
    let total = 0;
    for (const [table, t] of Object.entries(this.manifest.tables)) {
      const [{ n }] = (await this.runner.query(`SELECT count(*)::int AS n FROM ${ident(table)}`)) as Array<{ n: number }>;
      if (n !== t.rows || (this.loaded.get(table) ?? 0) !== t.rows) {
        throw new BackupArchiveError(`table ${table}: the archive lists ${t.rows} rows, ${n} were restored`);
      }
      total += n;
    }
    return total;
  }
}

/** The migrated schema must have exactly the archive's tables and columns (same schema version). */
async function checkSchema(runner: QueryRunner, manifest: Manifest): Promise<void> {
  const tables = await listTables(runner);
  const archived = Object.keys(manifest.tables);
  const missing = archived.filter((t) => !tables.includes(t));
  const extra = tables.filter((t) => !archived.includes(t));
  if (missing.length || extra.length) {
    throw new BackupArchiveError(
      `the archive's tables do not match schema ${manifest.schemaVersion}` +
        (missing.length ? `; unknown here: ${missing.join(', ')}` : '') +
        (extra.length ? `; not in the archive: ${extra.join(', ')}` : ''),
    );
  }
  for (const table of archived) {
    const columns = await tableColumns(runner, table);
    if (columns.join(',') !== manifest.tables[table].columns.join(',')) {
      throw new BackupArchiveError(`the archive's columns of ${table} do not match schema ${manifest.schemaVersion}`);
    }
  }
  for (const name of Object.keys(manifest.sequences)) {
    const [{ present }] = (await runner.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [ident(name)])) as Array<{ present: boolean }>;
    if (!present) throw new BackupArchiveError(`the archive's sequence ${name} does not exist in schema ${manifest.schemaVersion}`);
  }
}
