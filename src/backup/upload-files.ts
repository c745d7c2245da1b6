import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { uploadsDir } from '../core/data-dir';

/**
 * The one place a backup or a restore touches upload bytes: with local file storage (the default)
 * they are files `<data dir>/uploads/<files.path>`, the layout of LocalFileStorage. (A storage that
 * keeps the bytes in a database table needs nothing here: the table is in the dump.)
 */

/** Storage keys are 128-bit random hex; an archive naming anything else is refused. */
const KEY = /^[0-9a-f]{32}$/;

export function isUploadKey(key: string): boolean {
  return KEY.test(key);
}

/** The file a files row names, opened for reading, or undefined if it is gone (expired meanwhile). */
export async function openUpload(dataDir: string, key: string): Promise<{ size: number; stream: fs.ReadStream } | undefined> {
  if (!isUploadKey(key)) return undefined;
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path.join(uploadsDir({ dataDir }), key), 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const { size } = await handle.stat();
  return { size, stream: handle.createReadStream({ autoClose: true }) };
}

/** Writes a restored upload (mode 0600 in a 0700 directory, as the server makes them). */
export async function writeUpload(dataDir: string, key: string, body: AsyncIterable<Buffer>): Promise<void> {
  if (!isUploadKey(key)) throw new Error(`invalid upload name ${key}`);
  const dir = uploadsDir({ dataDir });
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  await pipeline(body, fs.createWriteStream(path.join(dir, key), { flags: 'wx', mode: 0o600 }));
}

/** The storage keys of every upload the files table lists (read inside the backup's snapshot). */
export const UPLOAD_KEYS_SQL = 'SELECT path FROM files';
