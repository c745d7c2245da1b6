import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILD_RUN_ENV } from './test-env';

export const ROOT = path.resolve(__dirname, '../..');
export const SERVER_JS = path.join(ROOT, 'dist/src/main.js');
export const CLI_JS = path.join(ROOT, 'dist/src/cli/main.js');
/** TypeORM's command line and the data source file made for it. */
export const TYPEORM_JS = require.resolve('typeorm/cli.js');
export const DATA_SOURCE_JS = path.join(ROOT, 'dist/src/database/data-source.js');

/** Held (an atomic mkdir) by the one test worker compiling the server. */
export const BUILD_LOCK = path.join(ROOT, '.test-build-lock');
/** Written into dist after a compile: the Jest run it was made for. */
const BUILD_STAMP = path.join(ROOT, 'dist', '.test-build-run');

/**
 * Compiles the server (as `npm run build` does) so tests can run it as a real process, once per
 * Jest run: the first worker to get here compiles while the others wait, since a compile rewrites
 * dist and a server another worker starts meanwhile would load half-written files.
 */
export async function build(): Promise<void> {
  const run = process.env[BUILD_RUN_ENV] ?? `${process.pid}`;
  const built = () => fs.existsSync(BUILD_STAMP) && fs.readFileSync(BUILD_STAMP, 'utf8') === run;
  while (!built()) {
    try {
      fs.mkdirSync(BUILD_LOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      if (!built()) {
        await compile();
        fs.writeFileSync(BUILD_STAMP, run);
      }
    } finally {
      fs.rmdirSync(BUILD_LOCK);
    }
  }
}

function compile(): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT }, (err, stdout, stderr) =>
      err ? reject(new Error(`build failed: ${stdout}${stderr}`)) : resolve(),
    ),
  );
}

export interface Started {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  stdout: () => string;
  stop(): Promise<number | null>;
}

/** Starts `node dist/src/main.js` and waits for its banner; rejects with its output if it exits. */
export function startServer(env: Record<string, string>): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER_JS], { env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${err}`)), 60_000);
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => {
      err += d;
      const m = /listening on\s+http:\/\/[^:]+:(\d+)/.exec(err);
      // The banner is one write (< 4 KiB, so it arrives whole through the pipe).
      if (m && /Rooms \(share|There are no rooms/.test(err)) {
        clearTimeout(timer);
        resolve({
          child,
          port: Number(m[1]),
          stderr: () => err,
          stdout: () => out,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
              child.once('exit', (code) => done(code));
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`server exited with ${code}:\n${err}\n${out}`), { code, stderr: err }));
    });
  });
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built entry point to completion (as another user, or in another working directory). */
export function run(script: string, args: string[], env: Record<string, string>, as?: { uid?: number; gid?: number; cwd?: string }): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env: { ...cleanEnv(), ...env }, timeout: 110_000, ...as }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The test process's environment without database or server settings that would leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('SOGS_') || k === 'DATABASE_URL' || k === 'NODE_OPTIONS') delete env[k];
  // Plain output to compare, even where CI forces colour (TypeORM's command line honours FORCE_COLOR).
  env.FORCE_COLOR = '0';
  env.NO_COLOR = '1';
  return env;
}
