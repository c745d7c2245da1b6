import * as fs from 'node:fs';
import * as path from 'node:path';
import { OperatorError } from '../common/operator-error';

export class DataDirError extends OperatorError {}

import type { AppConfig } from '../config/config';

/** Where local file storage keeps uploads (SOGS_FILE_STORAGE=local). */
export function uploadsDir(config: Pick<AppConfig, 'dataDir'>): string {
  return path.join(config.dataDir, 'uploads');
}

/**
 * Creates the data directory (mode 0700) if missing and proves this user can write in it and, with
 * local file storage, in its uploads directory, so a server that could not store an upload (e.g.
 * `uploads/` left owned by root) stops at start with one clear line instead of answering 500 to
 * every upload.
 */
export function ensureWritableDir(config: Pick<AppConfig, 'dataDir' | 'fileStorage'>): void {
  probe(config.dataDir, 'the data directory');
  if (config.fileStorage === 'local') probe(uploadsDir(config), 'the uploads directory');
}

function probe(dir: string, what: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `.write-test-${process.pid}`);
    fs.writeFileSync(file, '');
    fs.rmSync(file);
  } catch (err) {
    throw new DataDirError(
      `${what} ${dir} is not usable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ` +
        `make it writable by this user${whoAmI()} (e.g. chown -R) or set SOGS_DATA_DIR`,
    );
  }
}

function whoAmI(): string {
  const uid = process.geteuid?.();
  return uid === undefined ? '' : ` (uid ${uid})`;
}
