import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { InvalidInput, SogsError } from '../common/errors';
import { describeFatal } from '../core/fatal';
import { runStartupTasks } from '../core/open-runtime';
import { createLogger, NestPinoLogger } from '../logging/logger';
import { UsageError } from './args';
import { CliContext } from './cli-context';
import { CliModule } from './cli-module';
import { BANS_HELP, bansCommand } from './commands/bans.command';
import { BOTS_HELP, botsCommand } from './commands/bots.command';
import { MIGRATIONS_HELP, migrationsCommand } from './commands/migrations.command';
import { MODERATORS_HELP, moderatorsCommand } from './commands/moderators.command';
import { PERMISSIONS_HELP, permissionsCommand } from './commands/permissions.command';
import { ROOMS_HELP, roomsCommand } from './commands/rooms.command';
import { LOG_HELP, logCommand } from './commands/log.command';
import { MESSAGES_HELP, messagesCommand } from './commands/messages.command';
import { USERS_HELP, usersCommand } from './commands/users.command';
import { INIT_HELP, initCommand } from './commands/init.command';
import { openExistingServer, readSettings, requireDataDirOwner, requireExistingSetup } from './setup';
import { BACKUP_HELP, backupCommand } from './commands/backup.command';
import { restoreCommand } from './commands/restore.command';
import { IMPORT_HELP, importPysogsCommand } from './commands/import-pysogs.command';
import { INVITES_HELP, invitesCommand } from './commands/invites.command';
import { WEBHOOKS_HELP, webhooksCommand } from './commands/webhooks.command';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  rooms: roomsCommand,
  invites: invitesCommand,
  moderators: moderatorsCommand,
  permissions: permissionsCommand,
  bans: bansCommand,
  users: usersCommand,
  log: logCommand,
  messages: messagesCommand,
  bots: botsCommand,
  migrations: migrationsCommand,
  backup: backupCommand,
  webhooks: webhooksCommand,
  key: async (ctx, argv) => {
    if (argv.length) throw new UsageError(`unexpected argument "${argv[0]}"`);
    ctx.out(ctx.serverKey.publicKeyHex);
    return 0;
  },
};

export const HELP = `Session community server admin commands. They work while the server runs.

${INIT_HELP}
${ROOMS_HELP}
${INVITES_HELP}
${MODERATORS_HELP}
${PERMISSIONS_HELP}
${BANS_HELP}
${USERS_HELP}
${MESSAGES_HELP}
${BOTS_HELP}
${LOG_HELP}
${WEBHOOKS_HELP}
${MIGRATIONS_HELP}
${BACKUP_HELP}
${IMPORT_HELP}
sogs key   (print the server public key)

Session IDs are 05… (account) or 15… (blinded) followed by 64 hex digits. Configuration comes
from the same environment variables and .env file as the server (SOGS_DATA_DIR, DATABASE_URL, …);
the data directory defaults to data/ in the installation directory. Only \`sogs init\` (and restore
and import-pysogs, with the key they bring) creates a data directory, key or database. \`sogs --verbose COMMAND\` says which ones it uses.
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
  if (!command && name !== 'init' && name !== 'restore' && name !== 'import-pysogs') {
    io.err(`sogs: unknown command "${name}" (try: sogs --help)`);
    return 2;
  }
  let close: (() => Promise<void>) | undefined;
  try {
    // Admin commands leave the periodic cleanup to the server.
    const settings = readSettings(io.env ?? process.env);
    const { origin } = settings;
    const config = { ...settings.config, cleanupInterval: 0 };
    const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2));
    requireDataDirOwner(config.dataDir);
    if (name === 'init') return await initCommand(config, log, io.out, rest);
    // `restore` makes the data directory, key and database itself, from an archive.
    if (name === 'restore') return await restoreCommand(config, io.out, rest);
    // `import-pysogs` may begin from nothing too: it brings the reference's key.
    if (name === 'import-pysogs') return await importPysogsCommand(config, log, io.out, rest);
    requireExistingSetup(config, origin);
    // Every other command brings the schema up to date first; `migrations` reports what it does,
    // `backup` records the schema as it is.
    const schemaCommand = name === 'migrations' || name === 'backup';
    const { opened, serverDataDir } = await openExistingServer(config, log, origin, { migrate: !schemaCommand, verbose, say: io.err });
    close = () => opened.close();
    const app = await NestFactory.createApplicationContext(CliModule.forRuntime(opened.runtime), {
      logger: new NestPinoLogger(log),
    });
    close = async () => {
      await app.close();
      await opened.close();
    };
    if (!schemaCommand) await runStartupTasks(app);
    return await command!(new CliContext(app, io.out, serverDataDir), rest);
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
