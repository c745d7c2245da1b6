import * as fs from 'node:fs';
import * as path from 'node:path';

let found: string | undefined;

/**
 * The installation directory: the nearest directory above this file holding `package.json`
 * (the project root, whether this runs from `src/` or the build in `dist/`). The default data
 * directory and `.env` are found there, so the server and the admin CLI agree on them whatever
 * the working directory is.
 */
export function installDir(): string {
  if (found) return found;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return (found = path.resolve(__dirname, '../..'));
    dir = parent;
  }
  return (found = dir);
}
