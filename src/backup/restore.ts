import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource, MigrationExecutor } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { OperatorError } from '../common/operator-error';
import { AppConfig } from '../config/config';
import { initCrypto } from '../crypto';
import { dataSourceOptions } from '../database/data-source-options';
import { connect } from '../database/open-database';
import { describeUrl, reachDatabase, ReachedDatabase } from '../database/reach-database';
import { ServerKey } from '../keys/server-key';
import { readArchive } from './archive-file';
import { BackupArchiveError, KEY_ENTRY, Manifest, MANIFEST_ENTRY, parseManifest, tableOfEntry, UPLOAD_PREFIX } from './archive-format';
import { DatabaseLoad } from './database-load';
import { isUploadKey, writeUpload } from './upload-files';
import { inTransaction } from '../database/in-transaction';

/** The target is not empty, or cannot be used: nothing has been written. */
export class RestoreRefused extends OperatorError {}

export interface RestoreResult {
  manifest: Manifest;
  rows: number;
  /** Where the database went, for the summary. */
  database: string;
  /** Migrations newer than the archive's schema, which the server applies when it starts. */
  newerMigrations: number;
}

/**
 * Restores an archive into an empty data directory (and, with DATABASE_URL, an empty database).
 * The whole archive is read and checked first, so a damaged one writes nothing; then the key is
 * written, the schema is built up to the archive's version, the rows loaded and the uploads
 * written, all in one database transaction committed last. If anything fails, what the restore
 * made is removed again (the transaction rolls back, the files it created are deleted).
 */
export async function restoreBackup(file: string, config: AppConfig): Promise<RestoreResult> {
  checkEmptyTarget(config);
  await initCrypto();
  const { manifest, key } = await verifyArchive(file);
  const known = MIGRATIONS.map((m) => m.name);
  const schema = known.indexOf(manifest.schemaVersion);
  if (schema < 0) {
    throw new RestoreRefused(
      `the archive comes from a newer server (its schema version ${manifest.schemaVersion} is unknown here); ` +
        'restore it with that version of the server or a later one',
    );
  }
  const storage = manifest.uploads.storage ?? 'local';
  if (storage !== config.fileStorage) {
    throw new RestoreRefused(
      `the archive's uploads were kept with SOGS_FILE_STORAGE=${storage}; restore it with the same setting ` +
        '(and keep it for the restored server)',
    );
  }
  const migrations = MIGRATIONS.slice(0, schema + 1);
  if (migrations.some((m, i) => m.name !== manifest.migrations[i]) || manifest.migrations.length !== migrations.length) {
    throw new RestoreRefused(`the archive's migrations (${manifest.migrations.join(', ')}) are not a history this server knows`);
  }

  // With PostgreSQL, check the database before writing anything.
  let dataSource: DataSource | undefined;
  if (config.databaseUrl) dataSource = await openEmptyDatabase(config, { url: config.databaseUrl }, migrations);

  const created = new Cleanup(config);
  let reached: ReachedDatabase | undefined;
  try {
    created.dataDir();
    created.key(key);
    if (!dataSource) {
      reached = await reachDatabase({ databaseUrl: '', dataDir: config.dataDir }, 'server');
      dataSource = await openEmptyDatabase(config, reached.target, migrations);
    }
    const rows = await load(dataSource, manifest, file, config.dataDir);
    return {
      manifest,
      rows,
      database: reached ? reached.description : `PostgreSQL ${describeUrl(config.databaseUrl)}`,
      newerMigrations: known.length - migrations.length,
    };
  } catch (err) {
    if (dataSource?.isInitialized) await dataSource.destroy().catch(() => undefined);
    dataSource = undefined;
    await reached?.release().catch(() => undefined);
    reached = undefined;
    created.undo();
    throw err;
  } finally {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await reached?.release();
  }
}

/** The data directory must be absent or empty, and the key file absent. */
function checkEmptyTarget(config: AppConfig): void {
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(config.dataDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new RestoreRefused(`cannot read the data directory ${config.dataDir} (${(err as NodeJS.ErrnoException).code})`);
    }
  }
  if (entries.length) {
    throw new RestoreRefused(
      `the data directory ${config.dataDir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); ` +
        'restore only into an empty or new directory (set SOGS_DATA_DIR)',
    );
  }
  if (fs.existsSync(config.keyFile)) throw new RestoreRefused(`the server key ${config.keyFile} already exists; restore only where there is none`);
}

/** Reads the whole archive once: every entry present, every count as the manifest says, nothing after it. */
async function verifyArchive(file: string): Promise<{ manifest: Manifest; key: Buffer }> {
  let manifest: Manifest | undefined;
  let key: Buffer | undefined;
  const lines = new Map<string, number>();
  const parts = new Map<string, number>();
  const uploads = new Set<string>();
  for await (const entry of readArchive(file)) {
    if (manifest) throw new BackupArchiveError(`${file}: unexpected entry ${entry.name} after the manifest`);
    const table = tableOfEntry(entry.name);
    if (entry.name === KEY_ENTRY && !key && entry.size === 32) {
      key = await entry.buffer();
    } else if (entry.name === MANIFEST_ENTRY && entry.size < 16 * 1024 * 1024) {
      manifest = parseManifest((await entry.buffer()).toString('utf8'));
    } else if (table) {
      let n = 0;
      for await (const chunk of entry.body()) for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
      lines.set(table, (lines.get(table) ?? 0) + n);
      parts.set(table, (parts.get(table) ?? 0) + 1);
    } else if (entry.name.startsWith(UPLOAD_PREFIX) && isUploadKey(entry.name.slice(UPLOAD_PREFIX.length)) && !uploads.has(entry.name)) {
      uploads.add(entry.name);
    } else {
      throw new BackupArchiveError(`${file}: unexpected entry ${entry.name}`);
    }
  }
  if (!manifest) throw new BackupArchiveError(`${file} is not a complete backup archive: it has no manifest`);
  if (!key) throw new BackupArchiveError(`${file} holds no server key`);
  if (ServerKey.fromPrivateKey(key).publicKeyHex !== manifest.serverPublicKey) {
    throw new BackupArchiveError(`${file}: the server key does not match the public key its manifest records`);
  }
  for (const [table, t] of Object.entries(manifest.tables)) {
    if ((lines.get(table) ?? 0) !== t.rows || (parts.get(table) ?? 0) !== t.parts) {
      throw new BackupArchiveError(`${file}: table ${table} holds ${lines.get(table) ?? 0} rows, its manifest says ${t.rows}`);
    }
  }
  for (const table of lines.keys()) {
    if (!manifest.tables[table]) throw new BackupArchiveError(`${file}: rows of ${table}, which the manifest does not list`);
  }
  if (uploads.size !== manifest.uploads.files) {
    throw new BackupArchiveError(`${file}: holds ${uploads.size} uploads, its manifest says ${manifest.uploads.files}`);
  }
  return { manifest, key };
}

/** A data source whose migrations stop at the archive's schema; the database must hold no tables yet. */
async function openEmptyDatabase(config: AppConfig, target: ReachedDatabase['target'], migrations: typeof MIGRATIONS): Promise<DataSource> {
  const dataSource = new DataSource({ ...dataSourceOptions(target, 1), migrations });
  await connect(dataSource, config.databaseUrl ? 'the database of DATABASE_URL' : 'the embedded database');
  try {
    const [{ n }] = (await dataSource.query(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`,
    )) as Array<{ n: number }>;
    if (n > 0) {
      throw new RestoreRefused(`the database is not empty (its schema holds ${n} tables, views or sequences); restore only into an empty database`);
    }
    return dataSource;
  } catch (err) {
    await dataSource.destroy().catch(() => undefined);
    throw err;
  }
}

/** Schema, rows and uploads in one transaction on one connection, committed only when all is in. */
async function load(dataSource: DataSource, manifest: Manifest, file: string, dataDir: string): Promise<number> {
  const runner = dataSource.createQueryRunner();
  try {
    return await inTransaction(runner, async () => {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all'; // ours: the executor runs inside it
      await executor.executePendingMigrations();
      const rows = await DatabaseLoad.begin(runner, manifest);
      for await (const entry of readArchive(file)) {
        const table = tableOfEntry(entry.name);
        if (table) await rows.part(table, await entry.buffer());
        else if (entry.name.startsWith(UPLOAD_PREFIX)) await writeUpload(dataDir, entry.name.slice(UPLOAD_PREFIX.length), entry.body());
      }
      return rows.finish();
    });
  } finally {
    await runner.release();
  }
}

/** What the restore created, to be removed if it fails: it started from nothing, so it removes everything. */
class Cleanup {
  private madeDir = false;
  private madeKey = false;

  constructor(private readonly config: AppConfig) {}

  dataDir(): void {
    this.madeDir = !fs.existsSync(this.config.dataDir);
    fs.mkdirSync(this.config.dataDir, { recursive: true, mode: 0o700 });
  }

  key(bytes: Buffer): void {
    fs.mkdirSync(path.dirname(this.config.keyFile), { recursive: true, mode: 0o700 });
    fs.writeFileSync(this.config.keyFile, bytes, { flag: 'wx', mode: 0o600 });
    this.madeKey = true;
  }

  undo(): void {
    if (this.madeKey) fs.rmSync(this.config.keyFile, { force: true });
    if (this.madeDir) {
      fs.rmSync(this.config.dataDir, { recursive: true, force: true });
    } else if (fs.existsSync(this.config.dataDir)) {
      // It was empty when the restore began (checked): everything in it is the restore's.
      for (const entry of fs.readdirSync(this.config.dataDir)) fs.rmSync(path.join(this.config.dataDir, entry), { recursive: true, force: true });
    }
  }
}
