import * as fs from 'node:fs';
import * as path from 'node:path';
import { OperatorError } from '../common/operator-error';
import { AppConfig } from '../config/config';
import { installDir } from '../config/install-dir';

/** The data directory, key or database an admin command needs is not there (exit 1). */
export class SetupMissing extends OperatorError {}

/** The command would create files the server (another user) could not read (exit 1). */
export class WrongUser extends OperatorError {}

/** Where the settings that locate the server came from, for the line saying which one is used. */
export interface SettingsOrigin {
  /** The `.env` file read, if any. */
  envFile?: string;
  /** Variables whose value came from that file rather than the environment. */
  fromFile: Set<string>;
}

/** PGlite writes PG_VERSION when it creates a database: the embedded database exists. */
export function embeddedDatabaseExists(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'db', 'PG_VERSION'));
}

/** How the CLI was told where the data directory is, in words. */
export function dataDirOrigin(config: AppConfig, origin: SettingsOrigin): string {
  if (origin.fromFile.has('SOGS_DATA_DIR')) return `SOGS_DATA_DIR in ${origin.envFile}`;
  if (!config.dataDirIsDefault) return 'SOGS_DATA_DIR';
  return 'the default: data/ in the installation directory';
}

/**
 * Whether the data directory and database in use need saying: not when SOGS_DATA_DIR was given in
 * the environment, or when the default is used from the installation directory itself (`./data`).
 */
export function locationIsObvious(config: AppConfig, origin: SettingsOrigin): boolean {
  if (origin.fromFile.has('SOGS_DATA_DIR') || origin.fromFile.has('DATABASE_URL')) return false;
  return !config.dataDirIsDefault || path.resolve(process.cwd()) === installDir();
}

/**
 * Every command but `sogs init` works on an existing server: its data directory, key and (without
 * DATABASE_URL) embedded database must exist. Nothing is created here; the error names the
 * directory looked in and the ways to point the command at the server.
 */
export function requireExistingSetup(config: AppConfig, origin: SettingsOrigin): void {
  const missing = !fs.existsSync(config.dataDir)
    ? `no data directory ${config.dataDir}`
    : !fs.existsSync(config.keyFile)
      ? `no server key ${config.keyFile}`
      : !config.databaseUrl && !embeddedDatabaseExists(config.dataDir)
        ? `no embedded database in ${path.join(config.dataDir, 'db')}`
        : undefined;
  if (!missing) return;
  throw new SetupMissing(
    `${missing} (${dataDirOrigin(config, origin)}); nothing was created. ` +
      `Point the command at the server: set SOGS_DATA_DIR=/path/to/the/server/data (and DATABASE_URL if the server has one), ` +
      `or put them in the .env file of the installation directory ${installDir()}; ` +
      `or run "sogs init" to set up a new server there`,
  );
}

/**
 * The CLI writes into the data directory (uploads, the embedded database when no server runs) with
 * modes only its owner can read, so it runs as the directory's owner: as root on a directory owned
 * by the server's user it would leave files the server cannot read (every upload answering 500).
 * A directory that does not exist yet (`sogs init`) is not checked: whoever creates it owns it.
 */
export function requireDataDirOwner(dataDir: string): void {
  const uid = process.geteuid?.();
  if (uid === undefined) return;
  let owner: number;
  try {
    owner = fs.statSync(dataDir).uid;
  } catch {
    return;
  }
  if (owner === uid) return;
  const name = userName(owner);
  throw new WrongUser(
    `the data directory ${dataDir} belongs to ${name ?? `uid ${owner}`}, not to ${userName(uid) ?? `uid ${uid}`} running this command; ` +
      `files it created would be unreadable by the server. Run it as the owner: sudo -u ${name ?? `'#${owner}'`} ` +
      `env SOGS_DATA_DIR=${dataDir} sogs … (sudo clears the environment: pass DATABASE_URL too if the server has one)`,
  );
}

/** The user name of `uid` from /etc/passwd, if it has one. */
function userName(uid: number): string | undefined {
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (id !== undefined && Number(id) === uid) return name;
    }
  } catch {
    // no passwd file: fall back to the number
  }
  return undefined;
}
