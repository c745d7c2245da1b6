import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Sql } from '../database/sql';
import { FileStorage } from '../files/file-storage';

/**
 * Finds a reference upload on disk. The reference records `files.path` as it wrote the file:
 * `uploads/<room token>/<id>_<name>` relative to its working directory (or absolute, when its
 * uploads directory was configured so). `--uploads` names that uploads directory wherever it is
 * now: the path is looked up as recorded (absolute), then under it with its leading directories
 * dropped one by one (`uploads/lobby/1_a.jpg`, `lobby/1_a.jpg`, `1_a.jpg`).
 */
export function locateReferenceFile(uploadsDir: string, recorded: string): string | undefined {
  if (path.isAbsolute(recorded) && isFile(recorded)) return recorded;
  const parts = recorded.split(/[\\/]+/).filter((p) => p && p !== '.');
  if (parts.includes('..')) return undefined;
  for (let i = 0; i < parts.length; i++) {
    const candidate = path.join(uploadsDir, ...parts.slice(i));
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Copies a file into this server's storage, as part of `tx` where the storage is the database; returns its key and size. */
export async function copyIntoStorage(storage: FileStorage, file: string, tx: Sql): Promise<{ key: string; size: number }> {
  const incoming = await storage.receive();
  try {
    let size = 0;
    const source = fs.createReadStream(file);
    source.on('data', (chunk) => (size += chunk.length));
    await pipeline(source, incoming.sink);
    return { key: await incoming.keep(tx), size };
  } catch (err) {
    await incoming.discard();
    throw err;
  }
}
