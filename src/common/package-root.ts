import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

/** The directory holding this project's package.json, from source (ts) or build output (dist). */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'migrations'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root (package.json with migrations/)');
    dir = parent;
  }
  cached = dir;
  return dir;
}
