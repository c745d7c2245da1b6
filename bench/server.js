'use strict';
// Shared by the benches: build, start the built server on a free loopback port with a throw-away
// data directory and a fresh database, run admin commands against it, and stop it again.
//
// Database: with DATABASE_URL set, a new database `sogs_bench_<random>` is created on that
// PostgreSQL server for this run and dropped by stop(). Without it, the server runs its embedded
// PGlite in the throw-away data directory and serves it on `<dataDir>/db-socket`, where `pg` can
// reach it too (pgConfig). SOGS_WORKERS and the other SOGS_* settings pass through.
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');
const { treePids } = require('./process-tree');

const ROOT = path.resolve(__dirname, '..');
const dist = (p) => require(path.join(ROOT, 'dist/src', p));

function build() {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A new, empty database on the server of `url`; drop() removes it (and ends its sessions). */
async function createDatabase(url) {
  const name = `sogs_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Builds and starts the server; creates room `room` when given. Returns where it listens, its
 * pid (the primary of its process tree), its public key, how to reach its database with `pg`, how
 * to run the admin CLI against it, and stop(), which also removes the data directory and the
 * database.
 */
async function startServer(room, { skipBuild = false } = {}) {
  if (!skipBuild) build();
  await dist('crypto').initCrypto();
  const databaseUrl = process.env.DATABASE_URL || '';
  const database = databaseUrl ? await createDatabase(databaseUrl) : null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-bench-'));
  const port = await freePort();
  const env = {
    ...process.env,
    SOGS_DATA_DIR: dataDir,
    SOGS_HOST: '127.0.0.1',
    SOGS_PORT: String(port),
    SOGS_LOG_LEVEL: 'warn',
    SOGS_BASE_URL: 'http://bench.example.org',
    // Set even when empty, so that a .env file in the working directory cannot choose another one.
    DATABASE_URL: database ? database.url : '',
  };
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const tree = treePids(child.pid);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      let timer;
      const timeout = new Promise((r) => (timer = setTimeout(r, 20_000, 'timeout')));
      const outcome = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        for (const pid of tree) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
        await exited;
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (database) await database.drop();
  };
  const cli = (...args) => {
    try {
      return execFileSync(process.execPath, [path.join(ROOT, 'dist/src/cli/main.js'), ...args], { cwd: ROOT, env, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      throw new Error(`sogs ${args.join(' ')} failed: ${err.stderr || err.message}`);
    }
  };
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`${base}/readyz`).then((r) => r.ok, () => false)) break;
      if (i > 240 || child.exitCode !== null) throw new Error(`server did not become ready:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    if (room) cli('rooms', 'add', room, '--name', `Bench ${room}`);
    const c = dist('crypto');
    const keyFile = env.SOGS_KEY_FILE ? path.resolve(ROOT, env.SOGS_KEY_FILE) : path.join(dataDir, 'key_x25519');
    const serverPk = c.x25519PublicKey(fs.readFileSync(keyFile));
    return {
      base,
      port,
      pid: child.pid,
      serverPk,
      crypto: c,
      env,
      dataDir,
      database: database ? { kind: 'PostgreSQL', name: database.name } : { kind: 'embedded PGlite', name: path.join(dataDir, 'db') },
      pgConfig: database ? { connectionString: database.url } : { host: path.join(dataDir, 'db-socket'), user: 'postgres', database: 'postgres' },
      cli,
      stderr: () => stderr,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

module.exports = { build, startServer };
