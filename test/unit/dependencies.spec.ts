import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Declared but never imported by name, each for a stated reason. */
const USED_WITHOUT_IMPORT: Record<string, string> = {
  pg: "TypeORM's postgres driver loads it",
  rxjs: 'a peer dependency of @nestjs/core',
  typescript: 'npm run build / typecheck',
  jest: 'npm test',
  'ts-jest': 'jest.config.js transform',
  '@types/node': 'tsconfig types',
  '@types/jest': 'tsconfig types',
};

/** Runtime imports that may be dev dependencies, each for a stated reason. */
const BUILD_ON_DEMAND: Record<string, string> = {
  typescript: 'bin/sogs.js compiles a source checkout that was never built',
};

/** Runtime code may only use `dependencies`; tests and benches may use both. */
const RUNTIME_DIRS = ['src', 'migrations', 'bin'];
const DEV_DIRS = ['test', 'bench'];

function sourceFiles(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|js)$/.test(f))
    .map((f) => path.join(full, f));
}

/** Package names a file imports or requires (`@scope/name` or `name`), builtins excluded. */
function importedPackages(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found = new Set<string>();
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\brequire(?:\.resolve)?\s*\(\s*)['"]([^'"./][^'"]*)['"]/g;
  for (const [, spec] of text.matchAll(pattern)) {
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    if (spec.startsWith('node:') || builtinModules.includes(name)) continue;
    found.add(name);
  }
  return [...found];
}

function importsOf(dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of dirs) for (const file of sourceFiles(dir)) for (const name of importedPackages(file)) out.set(name, path.relative(ROOT, file));
  return out;
}

describe('package.json dependencies', () => {
  const runtime = importsOf(RUNTIME_DIRS);
  const all = new Map([...importsOf(DEV_DIRS), ...runtime]);

  it('declares every package the server imports as a runtime dependency', () => {
    const missing = [...runtime]
      .filter(([name]) => !(name in pkg.dependencies) && !(name in BUILD_ON_DEMAND))
      .map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
  });

  it('declares every package the tests and benches import', () => {
    const declared = { ...pkg.dependencies, ...pkg.devDependencies };
    const missing = [...all].filter(([name]) => !(name in declared)).map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
  });

  it('declares nothing that nothing uses', () => {
    const unused = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => {
      if (name in USED_WITHOUT_IMPORT) return false;
      const typed = name.startsWith('@types/') ? name.slice('@types/'.length).replace(/^(.+)__(.+)$/, '@$1/$2') : name;
      return !all.has(typed);
    });
    expect(unused).toEqual([]);
  });

  it('keeps its reasons for packages used without an import true', () => {
    const declared = { ...pkg.dependencies, ...pkg.devDependencies };
    expect(Object.keys(USED_WITHOUT_IMPORT).filter((name) => !(name in declared))).toEqual([]);
  });
});
