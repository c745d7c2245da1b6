import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Db } from '../database/db';
import { STORAGE_KEY } from '../files/file-storage';
import { quote } from './reference-source';

/** The schema's own bookkeeping, kept by --force; every other table holds the community's data. */
const KEPT_TABLES = new Set(['migrations', 'typeorm_metadata', 'server_settings']);

async function dataTables(db: Db): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1`,
  );
  return rows.map((r) => r.name).filter((n) => !KEPT_TABLES.has(n));
}

/** Tables holding rows, besides the system user every server has: empty when none. */
export async function tablesWithRows(db: Db): Promise<string[]> {
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
export async function wipeTarget(db: Db, uploadsDir: string | undefined): Promise<void> {
  const tables = await dataTables(db);
  await db.transaction(async (tx) => {
    await tx.execute(`TRUNCATE ${tables.map(quote).join(', ')} RESTART IDENTITY CASCADE`);
    await tx.execute(`DELETE FROM server_settings WHERE name = 'pysogs_import'`);
  });
  if (!uploadsDir || !fs.existsSync(uploadsDir)) return;
  for (const name of fs.readdirSync(uploadsDir)) if (STORAGE_KEY.test(name)) fs.rmSync(path.join(uploadsDir, name), { force: true });
}
