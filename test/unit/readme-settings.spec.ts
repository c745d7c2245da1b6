import * as fs from 'node:fs';
import * as path from 'node:path';
import { SETTINGS } from '../../src/config/config.schema';

/** The README's configuration table names every setting the server reads, and nothing else. */
describe('README configuration table', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `((?:SOGS_|DATABASE_URL)[A-Z_]*)` \|/gm)].map((m) => m[1]);

  it('has one row for each setting', () => {
    const settings = Object.values(SETTINGS).map((s) => s.env);
    expect([...rows].sort()).toEqual([...settings].sort());
  });
});
