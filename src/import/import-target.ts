import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/config';
import { uploadsDir } from '../core/data-dir';
import type { OpenedRuntime } from '../core/open-runtime';
import type { Db } from '../database/db';
import { STORAGE_KEY } from '../files/file-storage';
import { ServerKey } from '../keys/server-key';
import { deleteImportRecord, ImportRecord, readImportRecord, saveImportRecord } from './import-progress';
import { ImportRefused, quote } from './reference-source';

/** The schema's own bookkeeping, kept by --force; every other table holds the community's data. */
const KEPT_TABLES = new Set(['migrations', 'typeorm_metadata', 'server_settings']);

async function dataTables(db: Db): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1`,
  );
  return rows.map((r) => r.name).filter((n) => !KEPT_TABLES.has(n));
}

/** Tables holding rows, besides the system user every server has: empty when none. */
async function tablesWithRows(db: Db): Promise<string[]> {
  const out: string[] = [];
  for (const table of await dataTables(db)) {
    const where = table === 'users' ? ' WHERE id <> 0' : '';
    if ((await db.query(`SELECT 1 FROM ${quote(table)}${where} LIMIT 1`)).length) out.push(table);
  }
  return out;
}

/**
 * Empties every data table (--force), and with local file storage the uploads they named: what the
 * database held is replaced by the import, as if the server were new. The schema stays.
 */
async function wipeTarget(db: Db, uploadsDir: string | undefined): Promise<void> {
  const tables = await dataTables(db);
  await db.transaction(async (tx) => {
    await tx.execute(`TRUNCATE ${tables.map(quote).join(', ')} RESTART IDENTITY CASCADE`);
    await deleteImportRecord(tx);
  });
  if (!uploadsDir || !fs.existsSync(uploadsDir)) return;
  for (const name of fs.readdirSync(uploadsDir)) if (STORAGE_KEY.test(name)) fs.rmSync(path.join(uploadsDir, name), { force: true });
}

/**
 * The data directory and key before the database is opened: a new directory gets the reference's
 * key; an existing key must be that key unless --force, which replaces it. What this creates is
 * removed again if the import is refused before it writes anything.
 */
export function prepareDataDir(config: AppConfig, key: ServerKey, force: boolean): { keep(): void; undo(): void } {
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
export async function importStartingPoint(
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
