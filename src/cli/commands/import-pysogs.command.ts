import * as fs from 'node:fs';
import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { AppConfig } from '../../config/config';
import { openRuntime, OpenedRuntime } from '../../core/open-runtime';
import { initCrypto } from '../../crypto';
import { FileStorage } from '../../files/file-storage';
import { importStartingPoint, prepareDataDir } from '../../import/import-target';
import { openReference } from '../../import/open-reference';
import { formatChecks, verifyImport } from '../../import/import-verification';
import { PysogsImport } from '../../import/pysogs-import';
import { ImportRefused } from '../../import/reference-source';
import { keyMismatch, readServerIdentity, recordServerIdentity } from '../../keys/server-identity';
import { ServerKey } from '../../keys/server-key';
import { NestPinoLogger } from '../../logging/logger';
import { UsersService } from '../../users/users.service';
import { parse, UsageError } from '../args';
import { CliModule } from '../cli-module';

export const IMPORT_HELP = `sogs import-pysogs --from SOGS_DB|postgresql://… --uploads DIR --key KEY_FILE [--force] [--batch-rows N]
           (move a session-pysogs server here: its key, rooms, history, moderation, DMs and files)`;

const OPTIONS = {
  from: { type: 'string' },
  uploads: { type: 'string' },
  key: { type: 'string' },
  force: { type: 'boolean' },
  'batch-rows': { type: 'string' },
} as const;

interface Args {
  from: string;
  uploads: string;
  key: Buffer;
  keyFile: string;
  force: boolean;
  batchRows: number;
}

function readArgs(argv: string[]): Args {
  const { values, positionals } = parse(argv, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  for (const name of ['from', 'uploads', 'key'] as const) {
    if (!values[name]) throw new UsageError(`give --${name} (sogs import-pysogs --from SOGS_DB --uploads DIR --key KEY_FILE)`);
  }
  const batchRows = values['batch-rows'] === undefined ? 5000 : Number(values['batch-rows']);
  if (!Number.isInteger(batchRows) || batchRows < 1 || batchRows > 100_000) throw new UsageError('--batch-rows takes a whole number from 1 to 100000');
  let key: Buffer;
  try {
    key = fs.readFileSync(values.key!);
  } catch (err) {
    throw new ImportRefused(`cannot read the reference key ${values.key}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (key.length !== 32) throw new ImportRefused(`${values.key} is not a reference key_x25519 file (it must hold 32 raw bytes; it holds ${key.length})`);
  const uploads = path.resolve(values.uploads!);
  if (!fs.existsSync(uploads) || !fs.statSync(uploads).isDirectory()) throw new ImportRefused(`the uploads directory ${uploads} does not exist`);
  return { from: values.from!, uploads, key, keyFile: values.key!, force: values.force ?? false, batchRows };
}

/**
 * `sogs import-pysogs`: reads and checks the reference first (a wrong file, key or schema changes
 * nothing here), then prepares this server (data directory, the reference's key, the schema),
 * imports, and verifies. Runs before any data directory exists, like `sogs init`.
 */
export async function importPysogsCommand(config: AppConfig, log: Logger, out: (line: string) => void, argv: string[]): Promise<number> {
  const args = readArgs(argv);
  await initCrypto();
  const key = ServerKey.fromPrivateKey(args.key);
  const { source, counts, ctx } = await openReference(args.from, key);
  try {
    out(`Importing ${source.description} (${counts.rooms} rooms, ${counts.users} users, ${counts.messages} messages, ${counts.files} files)`);
    out(`  server key: ${args.keyFile} (public key ${key.publicKeyHex})`);

    const target = prepareDataDir(config, key, args.force);
    let opened: OpenedRuntime | undefined;
    try {
      opened = await openRuntime(config, log, { role: 'cli', migrate: true });
      if (opened.serverRunning) {
        throw new ImportRefused(`the server is running on ${config.dataDir}: stop it, import, then start it again`);
      }
      const { db } = opened.runtime;
      out(`  into:       ${opened.databaseDescription}, data directory ${config.dataDir}`);
      const identity = await readServerIdentity(db);
      if (identity.publicKey && identity.publicKey !== key.publicKeyHex) {
        if (!args.force) throw keyMismatch(identity, key, config.keyFile, opened.databaseDescription);
        await db.execute(`DELETE FROM server_settings WHERE name = 'public_key'`);
      }
      const record = await importStartingPoint(opened, config, source.description, counts, args.force, out);
      await recordServerIdentity(db, key, config.keyFile, config.dataDir, opened.databaseDescription);
      target.keep();

      const app = await NestFactory.createApplicationContext(CliModule.forRuntime(opened.runtime), { logger: new NestPinoLogger(log) });
      try {
        // Only the system user: the server queues unblinded roles for blinding (§3.5) when it
        // starts, after the import; done here, it would collide with the imported queue on a re-run.
        await app.get(UsersService).ensureSystemUser();
        const storage = app.get(FileStorage, { strict: false });
        if (!record.completed) {
          const started = Date.now();
          await new PysogsImport(source, db, storage, record, ctx, { batchRows: args.batchRows, uploadsDir: args.uploads, say: out, now: () => Date.now() / 1000 }).run();
          out(`Imported in ${((Date.now() - started) / 1000).toFixed(1)} s. Verifying:`);
        }
        const checks = await verifyImport(source, db, storage, record, ctx, args.uploads);
        for (const line of formatChecks(checks)) out(`  ${line}`);
        if (checks.some((c) => !c.ok)) {
          throw new ImportRefused('the verification found differences (above): do not start the server on this import; report it, with the table');
        }
        out(`Done. Start the server on ${config.dataDir}; its join URLs are the reference's (public key ${key.publicKeyHex}).`);
        return 0;
      } finally {
        await app.close();
      }
    } catch (err) {
      await opened?.close().catch(() => undefined);
      opened = undefined;
      target.undo();
      throw err;
    } finally {
      await opened?.close();
    }
  } finally {
    await source.close();
  }
}
