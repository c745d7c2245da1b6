import * as path from 'node:path';
import * as fs from 'node:fs';
import type { Logger } from 'pino';
import { AppConfig } from '../../config/config';
import { openRuntime } from '../../core/open-runtime';
import { Migrator } from '../../database/migrator';
import { keyMismatch, readServerIdentity, recordServerIdentity } from '../../keys/server-identity';
import { parse, UsageError } from '../args';
import { embeddedDatabaseExists } from '../setup';

export const INIT_HELP = `sogs init   (set up a new server: data directory, key, database; on an existing one it changes nothing)`;

/**
 * The one command that creates a server's data directory, key and embedded database (the server's
 * first start does too), and brings the schema up to date. Run again, it says so and changes nothing.
 */
export async function initCommand(config: AppConfig, log: Logger, out: (line: string) => void, argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {});
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const hadDir = fs.existsSync(config.dataDir);
  const hadDatabase = config.databaseUrl !== '' || embeddedDatabaseExists(config.dataDir);
  const opened = await openRuntime(config, log, { role: 'cli', migrate: false });
  const done: string[] = [];
  try {
    const { db, serverKey } = opened.runtime;
    const applied = await new Migrator(db.dataSource).run();
    const identity = await readServerIdentity(db);
    if (identity.publicKey && identity.publicKey !== serverKey.publicKeyHex) {
      throw keyMismatch(identity, serverKey, config.keyFile, opened.databaseDescription);
    }
    if (!hadDir) done.push(`Created the data directory ${config.dataDir}`);
    if (opened.keyCreated) done.push(`Created the server key ${config.keyFile} (back it up: clients know the server by it)`);
    if (!hadDatabase) done.push(`Created the embedded database in ${path.join(config.dataDir, 'db')}`);
    if (applied.length) done.push(`Applied ${applied.length} migration${applied.length === 1 ? '' : 's'} (${applied.join(', ')})`);
    if (!identity.publicKey) {
      await recordServerIdentity(db, serverKey, config.keyFile, config.dataDir, opened.databaseDescription);
      done.push("Recorded the server's key and data directory in the database");
    }
    for (const line of done.length ? done : ['The server is already set up here; nothing changed.']) out(line);
    out(`  data directory  ${config.dataDir}`);
    out(`  database        ${opened.databaseDescription}`);
    out(`  public key      ${serverKey.publicKeyHex}`);
    if (!hadDir && process.geteuid?.() === 0) {
      out(`The data directory belongs to root: if the server runs as another user, chown -R that user ${config.dataDir}`);
    }
    return 0;
  } finally {
    await opened.close();
  }
}
