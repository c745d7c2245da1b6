import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { DatabaseTarget, dataSourceOptions } from './data-source-options';
import { Db } from './db';
import { EmbeddedPostgres, LockFile } from './embedded-postgres';

export interface OpenedDatabase {
  db: Db;
  /** Human description without credentials, for the startup banner. */
  description: string;
  /** Stops the pool and, when this process owns it, the embedded database. */
  close(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {}

export type DatabaseRole = 'server' | 'cli';

/**
 * `DATABASE_URL` set: that PostgreSQL server. Otherwise the embedded database in the data directory:
 * started here when no other process has it open; a CLI finding the server running connects to the
 * server's socket instead, while a second server refuses to start.
 */
export async function openDatabase(
  opts: { databaseUrl: string; dataDir: string; poolSize?: number },
  role: DatabaseRole,
): Promise<OpenedDatabase> {
  const poolSize = opts.poolSize ?? 10;
  if (opts.databaseUrl) {
    const db = await connect({ url: opts.databaseUrl }, poolSize, describeUrl(opts.databaseUrl));
    return { db, description: `PostgreSQL ${describeUrl(opts.databaseUrl)}`, close: () => db.close() };
  }
  const socketDir = EmbeddedPostgres.socketDir(opts.dataDir);
  const embeddedOptions = { host: socketDir, username: 'postgres', database: 'postgres' };
  const lock = LockFile.acquire(path.join(opts.dataDir, 'db.lock'));
  if ('heldBy' in lock) {
    if (role === 'server') {
      throw new DatabaseUnavailableError(
        `the embedded database in ${opts.dataDir} is already open in process ${lock.heldBy} ` +
          '(another server, or an admin command still running); stop it first or set DATABASE_URL',
      );
    }
    const db = await connect(embeddedOptions, 2, `the running server's embedded database (${socketDir})`);
    return { db, description: `embedded PGlite via the running server (${socketDir})`, close: () => db.close() };
  }
  let embedded: EmbeddedPostgres;
  try {
    embedded = await EmbeddedPostgres.start(opts.dataDir, lock);
  } catch (err) {
    lock.release();
    throw new DatabaseUnavailableError(`cannot open the embedded database in ${opts.dataDir}: ${(err as Error).message}`);
  }
  try {
    const db = await connect(embeddedOptions, poolSize, 'the embedded database');
    return {
      db,
      description: `embedded PGlite in ${path.join(opts.dataDir, 'db')}`,
      close: async () => {
        await db.close();
        await embedded.stop();
      },
    };
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}

async function connect(target: DatabaseTarget, poolSize: number, what: string): Promise<Db> {
  const dataSource = new DataSource(dataSourceOptions(target, poolSize));
  try {
    await dataSource.initialize();
    await dataSource.query('SELECT 1');
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw new DatabaseUnavailableError(`cannot connect to ${what}: ${(err as Error).message}`);
  }
  return new Db(dataSource);
}

/** The URL without its password, safe to print. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
