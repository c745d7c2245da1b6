import * as path from 'node:path';
import { OperatorError } from '../common/operator-error';
import type { EmbeddedOptions } from '../config/config';
import type { DatabaseTarget } from './data-source-options';
import { EmbeddedPostgres, LockFile } from './embedded-postgres';

// Light on purpose (no TypeORM): the cluster's primary reaches the database with it and nothing else.

export class DatabaseUnavailableError extends OperatorError {}

/** `worker`: a server process of a cluster whose primary has opened (and migrated) the database. */
export type DatabaseRole = 'server' | 'worker' | 'cli';

export interface DatabaseLocation {
  databaseUrl: string;
  dataDir: string;
  /** How this process opens the embedded database, when it is the one to open it. */
  embedded?: EmbeddedOptions;
}

/** Where to connect, and what to stop afterwards (the embedded database, when this process started it). */
export interface ReachedDatabase {
  target: DatabaseTarget;
  /** For the startup banner. */
  description: string;
  /** For error messages: "cannot connect to <name>". */
  name: string;
  /** Connections worth opening: a CLI borrowing the server's embedded database needs few. */
  poolSize?: number;
  /** A CLI using the embedded database of the server that runs on this data directory. */
  viaRunningServer?: boolean;
  release(): Promise<void>;
}

/** Where a pool connects: the URL, or the embedded database's socket directory. */
export function databaseTarget(opts: DatabaseLocation): DatabaseTarget {
  if (opts.databaseUrl) return { url: opts.databaseUrl };
  return { host: EmbeddedPostgres.socketDir(opts.dataDir), username: 'postgres', database: 'postgres' };
}

/**
 * `DATABASE_URL` set: that PostgreSQL server. Otherwise the embedded database in the data directory:
 * started here when no other process has it open; a CLI finding the server running connects to the
 * server's socket instead, while a second server refuses to start.
 */
export async function reachDatabase(opts: DatabaseLocation, role: DatabaseRole): Promise<ReachedDatabase> {
  const target = databaseTarget(opts);
  if (opts.databaseUrl) {
    const url = describeUrl(opts.databaseUrl);
    return { target, description: `PostgreSQL ${url}`, name: url, release: async () => undefined };
  }
  const socketDir = target.host!;
  if (role === 'worker') {
    return { target, description: `embedded PGlite via the primary process (${socketDir})`, name: `the primary process's embedded database (${socketDir})`, release: async () => undefined };
  }
  const lock = LockFile.acquire(path.join(opts.dataDir, 'db.lock'));
  if ('heldBy' in lock) {
    if (role === 'server') {
      throw new DatabaseUnavailableError(
        `the embedded database in ${opts.dataDir} is already open in process ${lock.heldBy} ` +
          '(another server, or an admin command still running); stop it first or set DATABASE_URL',
      );
    }
    return {
      target,
      description: `embedded PGlite via the running server (${socketDir})`,
      name: `the running server's embedded database (${socketDir})`,
      poolSize: 2,
      viaRunningServer: true,
      release: async () => undefined,
    };
  }
  try {
    const embedded = await EmbeddedPostgres.start(opts.dataDir, lock, opts.embedded);
    const durability = embedded.durable ? '' : ' (NOT synced to disk: a power loss or OS crash may lose acknowledged posts)';
    return {
      target,
      description: `embedded PGlite in ${path.join(opts.dataDir, 'db')}${durability}`,
      name: 'the embedded database',
      release: () => embedded.stop(),
    };
  } catch (err) {
    lock.release();
    throw new DatabaseUnavailableError(`cannot open the embedded database in ${opts.dataDir}: ${(err as Error).message}`);
  }
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
