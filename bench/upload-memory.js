#!/usr/bin/env node
// npm run bench:uploads: how much the server's memory grows under parallel 10 MB uploads. Starts
// the built server (embedded PGlite) on a loopback port, creates a room, then sends PARALLEL
// (default 4) signed uploads of the maximum size, ROUNDS (default 3) times, and reports the
// process's resident set (VmRSS) and its peak (VmHWM) from /proc before and after.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const PARALLEL = Number(process.env.PARALLEL || 4);
const ROUNDS = Number(process.env.ROUNDS || 3);

const mem = (pid) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
};

async function main() {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const c = require(path.join(ROOT, 'dist/src/crypto'));
  await c.initCrypto();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-upmem-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const env = { ...process.env, SOGS_DATA_DIR: dataDir, SOGS_PORT: String(port), SOGS_LOG_LEVEL: 'warn' };
  const server = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (d) => (stderr += d));
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 120 && !(await fetch(`${base}/readyz`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 500));
    execFileSync(process.execPath, [path.join(ROOT, 'dist/src/cli/main.js'), 'rooms', 'add', 'up'], { env, stdio: 'ignore' });
    const serverPk = Buffer.from(/public key\s+([0-9a-f]{64})/.exec(stderr)[1], 'hex');
    const seed = crypto.randomBytes(32);
    const pubkey = '15' + c.blindedKeyPair(seed, serverPk).publicKey.toString('hex');
    const size = Number(process.env.SOGS_UPLOAD_MAX_BYTES || 10_000_000);
    const file = crypto.randomBytes(size);
    const upload = async () => {
      const nonce = crypto.randomBytes(16);
      const ts = String(Math.floor(Date.now() / 1000));
      const msg = c.signedMessage({ serverPk, nonce, timestamp: ts, method: 'POST', path: '/room/up/file', query: '', body: file });
      const res = await fetch(`${base}/room/up/file`, {
        method: 'POST',
        body: file,
        headers: {
          'content-type': 'application/octet-stream',
          'X-SOGS-Pubkey': pubkey,
          'X-SOGS-Timestamp': ts,
          'X-SOGS-Nonce': nonce.toString('base64'),
          'X-SOGS-Signature': c.blindedSign(msg, seed, serverPk).toString('base64'),
        },
      });
      if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
    };
    const before = mem(server.pid);
    for (let r = 0; r < ROUNDS; r++) await Promise.all(Array.from({ length: PARALLEL }, upload));
    const after = mem(server.pid);
    const inFlight = (PARALLEL * size) / 1024 / 1024;
    console.table([
      { what: 'resident before (MiB)', value: before.rss.toFixed(1) },
      { what: 'peak before (MiB)', value: before.peak.toFixed(1) },
      { what: 'resident after (MiB)', value: after.rss.toFixed(1) },
      { what: 'peak after (MiB)', value: after.peak.toFixed(1) },
      { what: `bytes in flight: ${PARALLEL} × ${size} (MiB)`, value: inFlight.toFixed(1) },
      { what: 'peak growth / bytes in flight', value: ((after.peak - before.peak) / inFlight).toFixed(2) },
    ]);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
