import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { Module } from '@nestjs/common';
import { FEATURE_MODULES } from '../app.module';
import { InvalidInput, SogsError } from '../common/errors';
import { loadConfig, loadEnvFile } from '../config/config';
import { CoreModule } from '../core/core.module';
import { describeFatal } from '../core/fatal';
import { openRuntime, runStartupTasks } from '../core/open-runtime';
import { Runtime } from '../core/runtime';
import { createLogger, NestPinoLogger } from '../logging/logger';
import { UsageError } from './args';
import { CliContext } from './cli-context';
import { BANS_HELP, bansCommand } from './commands/bans.command';
import { MIGRATIONS_HELP, migrationsCommand } from './commands/migrations.command';
import { MODERATORS_HELP, moderatorsCommand } from './commands/moderators.command';
import { PERMISSIONS_HELP, permissionsCommand } from './commands/permissions.command';
import { ROOMS_HELP, roomsCommand } from './commands/rooms.command';
import { LOG_HELP, logCommand } from './commands/log.command';
import { MESSAGES_HELP, messagesCommand } from './commands/messages.command';
import { USERS_HELP, usersCommand } from './commands/users.command';
import { INIT_HELP, initCommand } from './commands/init.command';
import { dataDirOrigin, locationIsObvious, requireDataDirOwner, requireExistingSetup, SettingsOrigin, SetupMissing } from './setup';
import { Migrator } from '../database/migrator';
import { MIGRATIONS } from '../../migrations';
import { keyMismatch, readServerIdentity, ServerIdentity } from '../keys/server-identity';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  rooms: roomsCommand,
  moderators: moderatorsCommand,
  permissions: permissionsCommand,
  bans: bansCommand,
  users: usersCommand,
  log: logCommand,
  messages: messagesCommand,
  migrations: migrationsCommand,
  key: async (ctx, argv) => {
    if (argv.length) throw new UsageError(`unexpected argument "${argv[0]}"`);
    ctx.out(ctx.serverKey.publicKeyHex);
    return 0;
  },
};

export const HELP = `Session community server admin commands. They work while the server runs.

${INIT_HELP}
${ROOMS_HELP}
${MODERATORS_HELP}
${PERMISSIONS_HELP}
${BANS_HELP}
${USERS_HELP}
${MESSAGES_HELP}
${LOG_HELP}
${MIGRATIONS_HELP}
sogs key   (print the server public key)

Session IDs are 05… (account) or 15… (blinded) followed by 64 hex digits. Configuration comes
from the same environment variables and .env file as the server (SOGS_DATA_DIR, DATABASE_URL, …);
the data directory defaults to data/ in the installation directory. Only \`sogs init\` creates a
data directory, key or database. \`sogs --verbose COMMAND\` says which ones it uses.
Exit codes: 0 done, 1 refused or failed, 2 bad arguments, 5 migrations pending.`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env?: NodeJS.ProcessEnv;
}

/** Runs one admin command; returns the exit code (0 ok, 1 failed, 2 bad arguments, 5 migrations pending). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  // `sogs --verbose COMMAND …` says which data directory and database it uses.
  const verbose = argv[0] === '--verbose';
  const [name, ...rest] = verbose ? argv.slice(1) : argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command && name !== 'init') {
    io.err(`sogs: unknown command "${name}" (try: sogs --help)`);
    return 2;
  }
  let close: (() => Promise<void>) | undefined;
  try {
    // Admin commands leave the periodic cleanup to the server.
    const env = io.env ?? process.env;
    const before = { ...env };
    const origin: SettingsOrigin = { envFile: loadEnvFile(env), fromFile: new Set() };
    for (const k of ['SOGS_DATA_DIR', 'DATABASE_URL']) if (before[k] === undefined && env[k] !== undefined) origin.fromFile.add(k);
    const config = { ...loadConfig(env), cleanupInterval: 0 };
    const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2));
    requireDataDirOwner(config.dataDir);
    if (name === 'init') return await initCommand(config, log, io.out, rest);
    requireExistingSetup(config, origin);
    const opened = await openRuntime(config, log, { role: 'cli', migrate: false });
    close = () => opened.close();
    // Every other command brings the schema up to date first; `migrations` reports what it does.
    const schemaCommand = name === 'migrations';
    const migrator = new Migrator(opened.runtime.db.dataSource);
    if (!schemaCommand) {
      const pending = await migrator.pending();
      if (pending.length === MIGRATIONS.length) {
        throw new SetupMissing(
          `the database (${opened.databaseDescription}) is empty: no server has used it. Set DATABASE_URL to the server's database, ` +
            'or set up a new server on it with "sogs init"',
        );
      }
      if (pending.length) await migrator.run();
    }
    const identity = await readServerIdentity(opened.runtime.db).catch(() => ({}) as ServerIdentity);
    if (identity.publicKey && identity.publicKey !== opened.runtime.serverKey.publicKeyHex) {
      throw keyMismatch(identity, opened.runtime.serverKey, config.keyFile, opened.databaseDescription);
    }
    const otherDataDir = identity.dataDir !== undefined && identity.dataDir !== config.dataDir ? identity.dataDir : undefined;
    if (verbose || otherDataDir || !locationIsObvious(config, origin)) {
      const db = origin.fromFile.has('DATABASE_URL') ? ` (DATABASE_URL from ${origin.envFile})` : '';
      const server = otherDataDir ? `; the server last started on this database uses data directory ${otherDataDir}` : '';
      io.err(`sogs: using data directory ${config.dataDir} (${dataDirOrigin(config, origin)}) and database ${opened.databaseDescription}${db}${server}`);
    }
    const app = await NestFactory.createApplicationContext(CliModule.forRuntime(opened.runtime), {
      logger: new NestPinoLogger(log),
    });
    close = async () => {
      await app.close();
      await opened.close();
    };
    if (!schemaCommand) await runStartupTasks(app);
    return await command(new CliContext(app, io.out, otherDataDir), rest);
  } catch (err) {
    // Bad arguments: what the command line says (UsageError) or names (an invalid token or id).
    if (err instanceof UsageError || err instanceof InvalidInput) {
      io.err(`sogs: ${err.message}`);
      return 2;
    }
    io.err(`sogs: ${err instanceof SogsError ? err.message : describeFatal(err)}`);
    return 1;
  } finally {
    await close?.().catch(() => undefined);
  }
}

@Module({})
class CliModule {
  static forRuntime(runtime: Runtime) {
    return { module: CliModule, imports: [CoreModule.forRuntime(runtime), ...FEATURE_MODULES] };
  }
}
