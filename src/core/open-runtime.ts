import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock, SystemClock } from '../common/clock';
import { AppConfig } from '../config/config';
import { initCrypto } from '../crypto';
import { openDatabase } from '../database/open-database';
import { DatabaseRole } from '../database/reach-database';
import { Migrator } from '../database/migrator';
import { loadOrCreateServerKey } from '../keys/server-key';
import { recordServerIdentity } from '../keys/server-identity';
import { UsersService } from '../users/users.service';
import { Runtime } from './runtime';
import { ensureWritableDir } from './data-dir';

export interface OpenedRuntime {
  runtime: Runtime;
  keyCreated: boolean;
  databaseDescription: string;
  /** A CLI on the embedded database of the server running on this data directory. */
  serverRunning: boolean;
  migrationsApplied: string[];
  close(): Promise<void>;
}

/**
 * Everything that must exist before Nest starts: a writable data directory, the server key, the
 * database with its schema migrated (unless `migrate` is false, for `migrations status`), and, for a
 * server, its key and data directory recorded in the database.
 */
export async function openRuntime(
  config: AppConfig,
  log: Logger,
  opts: { role: DatabaseRole; migrate?: boolean; clock?: Clock },
): Promise<OpenedRuntime> {
  ensureWritableDir(config);
  await initCrypto();
  const { key, created } = loadOrCreateServerKey(config.keyFile);
  const database = await openDatabase(
    {
      ...config,
      onWait: (attempt, delayMs, reason) => log.warn({ attempt, retryInMs: delayMs, reason }, 'cannot reach the database yet; waiting for it'),
    },
    opts.role,
  );
  let migrationsApplied: string[] = [];
  try {
    if (opts.migrate !== false) migrationsApplied = await new Migrator(database.db.dataSource).run();
  } catch (err) {
    await database.close();
    throw err;
  }
  for (const name of migrationsApplied) log.info({ migration: name }, 'applied migration');
  // A server (not the admin CLI, which checks it instead) records itself in its database.
  if (opts.role !== 'cli' && opts.migrate !== false) {
    try {
      await recordServerIdentity(database.db, key, config.keyFile, config.dataDir, database.description);
    } catch (err) {
      await database.close();
      throw err;
    }
  }
  return {
    runtime: { config, db: database.db, serverKey: key, log, clock: opts.clock ?? new SystemClock() },
    keyCreated: created,
    databaseDescription: database.description,
    serverRunning: database.viaRunningServer,
    migrationsApplied,
    close: () => database.close(),
  };
}

/** Startup tasks that need the services: the system user and the blinding queue (§12.3). */
export async function runStartupTasks(app: INestApplicationContext): Promise<void> {
  const users = app.get(UsersService);
  await users.ensureSystemUser();
  await users.queueUnblindedForBlinding();
}
