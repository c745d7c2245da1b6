'use strict';
// Shared by the benches: build, start the server on a free loopback port with a throw-away data
// directory (embedded PGlite, or DATABASE_URL when set), add a room, and stop it again.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const dist = (p) => require(path.join(ROOT, 'dist/src', p));

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer(room) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  await dist('crypto').initCrypto();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-bench-'));
  const port = await freePort();
  const env = { ...process.env, SOGS_DATA_DIR: dataDir, SOGS_PORT: String(port), SOGS_LOG_LEVEL: 'warn', SOGS_BASE_URL: 'http://bench.example.org' };
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`${base}/readyz`).then((r) => r.ok, () => false)) break;
      if (i > 120 || child.exitCode !== null) throw new Error(`server did not become ready:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    execFileSync(process.execPath, [path.join(ROOT, 'dist/src/cli/main.js'), 'rooms', 'add', room], { env, stdio: 'ignore' });
    const serverPk = Buffer.from(/public key\s+([0-9a-f]{64})/.exec(stderr)[1], 'hex');
    return { base, pid: child.pid, serverPk, crypto: dist('crypto'), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

module.exports = { startServer };
