import * as fs from 'node:fs';
import * as path from 'node:path';
import { OperatorError } from '../common/operator-error';

export class DataDirError extends OperatorError {}

/** Creates the data directory (mode 0700) if missing and proves this user can write in it. */
export function ensureWritableDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const probe = path.join(dir, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    throw new DataDirError(
      `the data directory ${dir} is not usable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ` +
        'make it writable by this user or set SOGS_DATA_DIR',
    );
  }
}
