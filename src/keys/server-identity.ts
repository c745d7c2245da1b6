import { OperatorError } from '../common/operator-error';
import { Db } from '../database/db';
import { ServerKey } from './server-key';

/**
 * What the database knows about the server it belongs to (`server_settings`): the public key of
 * the server that first started on it, and the data directory (uploads) of the one that started
 * last. Absent on a database no server of this version has started on yet.
 */
export interface ServerIdentity {
  publicKey?: string;
  dataDir?: string;
}

export class ServerIdentityError extends OperatorError {}

export async function readServerIdentity(db: Db): Promise<ServerIdentity> {
  const rows = await db.query<{ name: string; value: string }>(
    `SELECT name, value FROM server_settings WHERE name IN ('public_key', 'data_dir')`,
  );
  const get = (name: string) => rows.find((r) => r.name === name)?.value;
  return { publicKey: get('public_key'), dataDir: get('data_dir') };
}

/**
 * Records this server in its database at start (the first server's key stays; the data directory
 * is the latest). A server whose key is not the one recorded is refused: the key is the
 * community's identity (join URLs, blinded ids of every member, moderator and ban), so another
 * key on the same database would silently break them.
 */
export async function recordServerIdentity(db: Db, key: ServerKey, keyFile: string, dataDir: string, database: string): Promise<void> {
  await db.execute(`INSERT INTO server_settings (name, value) VALUES ('public_key', $1) ON CONFLICT (name) DO NOTHING`, [key.publicKeyHex]);
  const recorded = await readServerIdentity(db);
  if (recorded.publicKey !== key.publicKeyHex) throw keyMismatch(recorded, key, keyFile, database);
  await db.execute(
    `INSERT INTO server_settings (name, value) VALUES ('data_dir', $1) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
    [dataDir],
  );
}

/** The database belongs to a server with another key: one line saying which, and what to do. */
export function keyMismatch(recorded: ServerIdentity, key: ServerKey, keyFile: string, database: string): ServerIdentityError {
  const where = recorded.dataDir ? ` (its data directory: ${recorded.dataDir})` : '';
  return new ServerIdentityError(
    `the database (${database}) belongs to the server with public key ${recorded.publicKey}${where}, ` +
      `but the key ${keyFile} is ${key.publicKeyHex}; use that server's data directory (SOGS_DATA_DIR) or key (SOGS_KEY_FILE), ` +
      'or another database (DATABASE_URL)',
  );
}
