import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { MIGRATIONS } from '../../migrations';
import { OperatorError } from '../common/operator-error';
import { AppConfig, loadConfig, loadEnvFile } from '../config/config';
import { installDir } from '../config/install-dir';
import { OpenedRuntime, openRuntime } from '../core/open-runtime';
import { Migrator } from '../database/migrator';
import { keyMismatch, readServerIdentity, ServerIdentity } from '../keys/server-identity';

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

/** The server's settings, as the server reads them (environment, then `.env`), and where they came from. */
export function readSettings(env: NodeJS.ProcessEnv): { config: AppConfig; origin: SettingsOrigin } {
  const before = { ...env };
  const origin: SettingsOrigin = { envFile: loadEnvFile(env), fromFile: new Set() };
  for (const k of ['SOGS_DATA_DIR', 'DATABASE_URL']) if (before[k] === undefined && env[k] !== undefined) origin.fromFile.add(k);
  return { config: loadConfig(env), origin };
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
 * Opens the server's runtime for a command (after requireExistingSetup): refuses a database no
 * server has used and one recorded as another key's server, migrates it (`migrate`), and says on
 * one line which data directory and database it uses when that is not obvious (or `verbose`).
 * `serverDataDir` is the recorded data directory of the server, when it is not this command's.
 */
export async function openExistingServer(
  config: AppConfig,
  log: Logger,
  origin: SettingsOrigin,
  opts: { migrate: boolean; verbose: boolean; say: (line: string) => void },
): Promise<{ opened: OpenedRuntime; serverDataDir?: string }> {
  const opened = await openRuntime(config, log, { role: 'cli', migrate: false });
  try {
    const { db, serverKey } = opened.runtime;
    if (opts.migrate) {
      const migrator = new Migrator(db.dataSource);
      const pending = await migrator.pending();
      if (pending.length === MIGRATIONS.length) {
        throw new SetupMissing(
          `the database (${opened.databaseDescription}) is empty: no server has used it. Point the command at the server's ` +
            '(SOGS_DATA_DIR, DATABASE_URL), or set up a new server on it with "sogs init"',
        );
      }
      if (pending.length) await migrator.run();
    }
    // Before this version's migration (`migrations status` on an old schema) nothing is recorded.
    const identity = await readServerIdentity(db).catch((): ServerIdentity => ({}));
    if (identity.publicKey && identity.publicKey !== serverKey.publicKeyHex) {
      throw keyMismatch(identity, serverKey, config.keyFile, opened.databaseDescription);
    }
    // Only local file storage ties files to a data directory; instances on database storage differ freely.
    const serverDataDir =
      config.fileStorage === 'local' && identity.dataDir !== undefined && identity.dataDir !== config.dataDir ? identity.dataDir : undefined;
    if (opts.verbose || serverDataDir || !locationIsObvious(config, origin)) {
      const url = origin.fromFile.has('DATABASE_URL') ? ` (DATABASE_URL in ${origin.envFile})` : '';
      const server = serverDataDir ? `; the server last started on this database uses data directory ${serverDataDir}` : '';
      opts.say(`sogs: using data directory ${config.dataDir} (${dataDirOrigin(config, origin)}) and database ${opened.databaseDescription}${url}${server}`);
    }
    return { opened, serverDataDir };
  } catch (err) {
    await opened.close();
    throw err;
  }
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
