import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestApp } from './test-app';

/** Every `SOGS_FILE_STORAGE`: the file-centric specs run once on each. */
export const FILE_STORAGES = ['local', 'database'] as const;
export type FileStorageName = (typeof FILE_STORAGES)[number];

/**
 * What the app's file storage holds, read behind its back: the keys of stored files and of
 * uploads still incoming (local: files in `uploads/` and `uploads/incoming/`; database: the keys
 * of `file_chunks`).
 */
export async function storedKeys(t: TestApp): Promise<string[]> {
  if (t.config.fileStorage === 'database') {
    return (await t.database.query<{ key: string }>(`SELECT DISTINCT key FROM file_chunks ORDER BY key`)).map((r) => r.key);
  }
  const dir = path.join(t.dataDir, 'uploads');
  const list = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []);
  return [...list(dir), ...list(path.join(dir, 'incoming'))].sort();
}

/** Whether bytes are stored under `key`. */
export async function isStored(t: TestApp, key: string): Promise<boolean> {
  return (await storedKeys(t)).includes(key);
}

/** The bytes stored under `key`, read behind the server's back. */
export async function storedBytes(t: TestApp, key: string): Promise<Buffer> {
  if (t.config.fileStorage === 'local') return fs.readFileSync(path.join(t.dataDir, 'uploads', key));
  const rows = await t.database.query<{ data: Buffer }>(`SELECT data FROM file_chunks WHERE key = $1 ORDER BY chunk`, [key]);
  return Buffer.concat(rows.map((r) => r.data));
}

/** Stored keys that no `files` row names: what a refused or broken upload would leave behind. */
export async function leftovers(t: TestApp): Promise<string[]> {
  const named = new Set((await t.database.query<{ path: string }>(`SELECT path FROM files`)).map((r) => r.path));
  return (await storedKeys(t)).filter((k) => !named.has(k));
}
