import type { QueryRunner } from 'typeorm';
import { BackupError, ident, Manifest, TableManifest } from './archive-format';
import { UPLOAD_KEYS_SQL } from './upload-files';

/** TypeORM's list of applied migrations: not dumped (the restore rebuilds it), but read for the schema version. */
export const MIGRATIONS_TABLE = 'migrations';
/**
 * TypeORM's bookkeeping, written by the migrations themselves (the generated column's expression):
 * left out like the migrations table, since the restore's migrations write it again.
 */
const BOOKKEEPING_TABLES = [MIGRATIONS_TABLE, 'typeorm_metadata'];

/** A part of a table's dump is flushed to the archive once it holds this much. */
const PART_BYTES = 8 * 1024 * 1024;
/** Each FETCH aims at about this many bytes of rows (rows can be large: message bodies, file chunks). */
const FETCH_BYTES = 2 * 1024 * 1024;
const MAX_FETCH_ROWS = 5000;

export type DumpedDatabase = Pick<Manifest, 'database' | 'schemaVersion' | 'migrations' | 'tables' | 'sequences'> & {
  /** Storage keys of the uploads the files table lists, as of the snapshot. */
  uploadKeys: string[];
};

/** Receives each part of a table as it is complete. */
export type PartSink = (table: string, part: number, data: Buffer) => Promise<void>;

/**
 * Every table of the schema, as of one snapshot: a REPEATABLE READ, READ ONLY transaction on one
 * connection, read through a cursor in batches. Tables are found in the catalog, so a table added
 * by a later migration is included without changes here. Rows are JSON made by the database
 * (`to_json`: bytea as hex, floats exact), so the restore reads them back with
 * `json_populate_recordset` into any PostgreSQL or PGlite, whatever the column types.
 *
 * On the embedded database the snapshot is the whole single session: while this transaction runs,
 * the server's own queries wait for it (the socket server gives a transaction its turn until it ends).
 */
export async function dumpDatabase(runner: QueryRunner, sink: PartSink): Promise<DumpedDatabase> {
  await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    // Output formats that read back exactly: shortest exact floats, hex bytea; no timeout on the cursor.
    await runner.query(`SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = 'hex'; SET LOCAL statement_timeout = 0`);
    const [{ version }] = (await runner.query('SELECT version() AS version')) as Array<{ version: string }>;
    const migrations = await appliedMigrations(runner);
    const tables: Record<string, TableManifest> = {};
    for (const table of await listTables(runner)) tables[table] = await dumpTable(runner, table, sink);
    const sequences = await readSequences(runner);
    const uploadKeys = tables.files ? (await fetchAll(runner, `SELECT t.path AS j FROM (${UPLOAD_KEYS_SQL}) t`)).map(String) : [];
    await runner.query('COMMIT');
    return {
      database: describeVersion(version),
      schemaVersion: migrations[migrations.length - 1],
      migrations,
      tables,
      sequences,
      uploadKeys,
    };
  } catch (err) {
    await runner.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Applied migrations, oldest first; the schema must have been made by them. */
async function appliedMigrations(runner: QueryRunner): Promise<string[]> {
  const [{ present }] = (await runner.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [MIGRATIONS_TABLE])) as Array<{ present: boolean }>;
  const rows = present
    ? ((await runner.query(`SELECT name FROM ${ident(MIGRATIONS_TABLE)} ORDER BY "timestamp", id`)) as Array<{ name: string }>)
    : [];
  if (!rows.length) {
    throw new BackupError('the database has no applied migrations to record; start the server once (it migrates the schema) and try again');
  }
  return rows.map((r) => r.name);
}

/** Ordinary tables of the current schema (partitioned tables once, not their partitions). */
export async function listTables(runner: QueryRunner): Promise<string[]> {
  const rows = (await runner.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> ALL($1)
     ORDER BY c.relname`,
    [BOOKKEEPING_TABLES],
  )) as Array<{ name: string }>;
  for (const { name } of rows) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new BackupError(`cannot back up table "${name}": unexpected name`);
  }
  return rows.map((r) => r.name);
}

/** The columns a dump holds and a restore inserts: all but generated ones, in table order. */
export async function tableColumns(runner: QueryRunner, table: string): Promise<string[]> {
  const rows = (await runner.query(
    `SELECT attname AS name FROM pg_attribute
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
     ORDER BY attnum`,
    [ident(table)],
  )) as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

async function dumpTable(runner: QueryRunner, table: string, sink: PartSink): Promise<TableManifest> {
  const columns = await tableColumns(runner, table);
  const select = `SELECT to_json(x)::text AS j FROM (SELECT ${columns.map(ident).join(', ')} FROM ${ident(table)}) x`;
  let rows = 0;
  let parts = 0;
  let part: string[] = [];
  let partBytes = 0;
  const flush = async () => {
    if (!part.length) return;
    parts++;
    await sink(table, parts, Buffer.from(part.join('\n') + '\n'));
    part = [];
    partBytes = 0;
  };
  for await (const batch of cursor(runner, select)) {
    for (const line of batch) {
      part.push(line);
      partBytes += line.length + 1;
      rows++;
      if (partBytes >= PART_BYTES) await flush();
    }
  }
  await flush();
  return { columns, rows, parts };
}

/** The single-column (`j`) result of `select` in batches of about FETCH_BYTES. */
async function* cursor(runner: QueryRunner, select: string): AsyncGenerator<string[]> {
  await runner.query(`DECLARE backup_cursor NO SCROLL CURSOR FOR ${select}`);
  try {
    let count = 100;
    for (;;) {
      const rows = (await runner.query(`FETCH ${count} FROM backup_cursor`)) as Array<{ j: string }>;
      if (!rows.length) return;
      const lines = rows.map((r) => r.j);
      yield lines;
      if (rows.length < count) return;
      const bytes = lines.reduce((n, l) => n + l.length, 0);
      count = Math.max(1, Math.min(MAX_FETCH_ROWS, Math.floor(FETCH_BYTES / Math.max(1, bytes / rows.length))));
    }
  } finally {
    await runner.query('CLOSE backup_cursor');
  }
}

async function fetchAll(runner: QueryRunner, select: string): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of cursor(runner, select)) out.push(...batch);
  return out;
}

/** Every sequence of the schema but those of TypeORM's bookkeeping (identity sequences included). */
async function readSequences(runner: QueryRunner): Promise<Manifest['sequences']> {
  const names = (await runner.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'S' AND n.nspname = current_schema()
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                       AND d.refobjid IN (SELECT to_regclass(t) FROM unnest($1::text[]) t))
     ORDER BY c.relname`,
    [BOOKKEEPING_TABLES],
  )) as Array<{ name: string }>;
  const out: Manifest['sequences'] = {};
  for (const { name } of names) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new BackupError(`cannot back up sequence "${name}": unexpected name`);
    const [s] = (await runner.query(`SELECT last_value::text AS value, is_called AS called FROM ${ident(name)}`)) as Array<{
      value: string;
      called: boolean;
    }>;
    out[name] = { value: s.value, called: s.called };
  }
  return out;
}

/** `PostgreSQL 15.8` or `PGlite (PostgreSQL 17.4)`, from `version()`. */
function describeVersion(version: string): string {
  const pg = /PostgreSQL (\S+)/.exec(version)?.[1] ?? '?';
  return version.includes('PGlite') ? `PGlite (PostgreSQL ${pg})` : `PostgreSQL ${pg}`;
}
