import * as fs from 'node:fs';
import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { AppConfig } from '../../config/config';
import { uploadsDir } from '../../core/data-dir';
import { openRuntime, OpenedRuntime } from '../../core/open-runtime';
import { initCrypto } from '../../crypto';
import { FileStorage } from '../../files/file-storage';
import { PlanContext } from '../../import/import-plan';
import { ImportRecord, readImportRecord, saveImportRecord } from '../../import/import-progress';
import { tablesWithRows, wipeTarget } from '../../import/import-target';
import { formatChecks, verifyImport } from '../../import/import-verification';
import { PysogsImport } from '../../import/pysogs-import';
import { REFERENCE_TABLES, checkReferenceSchema } from '../../import/reference-schema';
import { ImportRefused, isPostgresUrl, ReferenceSource } from '../../import/reference-source';
import { PostgresSource } from '../../import/postgres-source';
import { SqliteSource } from '../../import/sqlite-source';
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
  const source: ReferenceSource = isPostgresUrl(args.from) ? await PostgresSource.open(args.from) : await SqliteSource.open(path.resolve(args.from));
  try {
    checkReferenceSchema(await source.tables(), source.description);
    const counts: Record<string, number> = {};
    for (const table of Object.keys(REFERENCE_TABLES)) counts[table] = await source.count(table);
    const ctx: PlanContext = { systemUserId: await systemUser(source, key) };
    out(`Importing ${source.description} (${counts.rooms} rooms, ${counts.users} users, ${counts.messages} messages, ${counts.files} files)`);
    out(`  server key: ${args.keyFile} (public key ${key.publicKeyHex})`);

    const target = prepareTarget(config, key, args.force);
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
      const record = await startingPoint(opened, config, source.description, counts, args.force, out);
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

/**
 * The reference's `ff…` system user (the actor of its admin commands) if it has one: it must be
 * the key's, or the key is not this reference's (its join URLs and every blinded id would change).
 */
async function systemUser(source: ReferenceSource, key: ServerKey): Promise<number | null> {
  let found: number | null = null;
  let after = null;
  for (;;) {
    const page = await source.page('users', ['id', 'session_id'], { columns: ['id'] }, after, 10_000);
    for (const [id, sid] of page) {
      if (typeof sid !== 'string' || !/^ff[0-9a-f]{64}$/i.test(sid)) continue;
      if (sid.toLowerCase() !== key.systemSessionId) {
        throw new ImportRefused(
          `the key is not this reference's: its system user is ${sid}, the key's public key is ${key.publicKeyHex}; give the key_x25519 of the server that wrote this database`,
        );
      }
      found = Number(id);
    }
    if (page.length < 10_000) return found;
    after = page[page.length - 1].slice(2);
  }
}

/**
 * The data directory and key before the database is opened: a new directory gets the reference's
 * key; an existing key must be that key unless --force, which replaces it. What this creates is
 * removed again if the import is refused before it writes anything.
 */
function prepareTarget(config: AppConfig, key: ServerKey, force: boolean): { keep(): void; undo(): void } {
  const madeDir = !fs.existsSync(config.dataDir);
  let oldKey: Buffer | undefined;
  if (fs.existsSync(config.keyFile)) {
    const current = fs.readFileSync(config.keyFile);
    if (!current.equals(key.privateKey)) {
      if (!force) {
        throw new ImportRefused(
          `this server already has another key (${config.keyFile}, public key ${current.length === 32 ? ServerKey.fromPrivateKey(current).publicKeyHex : '?'}); ` +
            'importing replaces it with the reference key: give --force to do so',
        );
      }
      oldKey = current;
    }
  }
  fs.mkdirSync(path.dirname(config.keyFile), { recursive: true, mode: 0o700 });
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(config.keyFile, key.privateKey, { mode: 0o600 });
  let kept = false;
  return {
    keep: () => (kept = true),
    undo: () => {
      if (kept) return;
      if (madeDir) fs.rmSync(config.dataDir, { recursive: true, force: true });
      else if (oldKey) fs.writeFileSync(config.keyFile, oldKey, { mode: 0o600 });
    },
  };
}

/**
 * Where the import begins: a fresh import into an empty database, the continuation of one that
 * was interrupted (same reference, same counts), or a finished one (only verified again). A
 * database holding anything else is refused unless --force, which empties it first.
 */
async function startingPoint(
  opened: OpenedRuntime,
  config: AppConfig,
  source: string,
  counts: Record<string, number>,
  force: boolean,
  out: (line: string) => void,
): Promise<ImportRecord> {
  const { db } = opened.runtime;
  const previous = await readImportRecord(db);
  const same = previous && previous.source === source && JSON.stringify(previous.counts) === JSON.stringify(counts);
  if (same && previous.completed) {
    out(`This reference was imported here at ${new Date(previous.completed * 1000).toISOString()}; checking it again.`);
    return previous;
  }
  if (same) {
    const done = Object.entries(previous.steps).map(([t, s]) => `${t} ${s.read}`).join(', ');
    out(`Continuing the interrupted import of ${new Date(previous.started * 1000).toISOString()} (so far: ${done || 'nothing'})`);
    return previous;
  }
  const filled = await tablesWithRows(db);
  if (filled.length || previous) {
    const what = previous ? `an import of ${previous.source}${previous.completed ? '' : ' (unfinished)'}` : `rows in ${filled.slice(0, 4).join(', ')}${filled.length > 4 ? ', …' : ''}`;
    if (!force) {
      throw new ImportRefused(
        `the database (${opened.databaseDescription}) is not empty: it holds ${what}. Import into a new server ` +
          '(another SOGS_DATA_DIR, and DATABASE_URL), or give --force to replace everything it holds by the import',
      );
    }
    out(`Emptying the database first (--force): it held ${what}`);
    await wipeTarget(db, config.fileStorage === 'local' ? uploadsDir(config) : undefined);
  }
  const record: ImportRecord = { source, counts, started: Date.now() / 1000, steps: {} };
  await db.transaction((tx) => saveImportRecord(tx, record));
  return record;
}
