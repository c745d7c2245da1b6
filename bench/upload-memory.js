#!/usr/bin/env node
// npm run bench:uploads: how much the server's memory grows under parallel 10 MB uploads. Starts
// the built server (embedded PGlite, or a fresh database on DATABASE_URL) on a loopback port,
// creates a room, then sends PARALLEL (default 4) signed uploads of the maximum size, ROUNDS
// (default 3) times, and reports the resident set (VmRSS) and its peak (VmHWM) from /proc before
// and after, summed over the server's processes (the primary and its workers).
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const { startServer } = require('./server');
const { treePids } = require('./process-tree');

const PARALLEL = Number(process.env.PARALLEL || 4);
const ROUNDS = Number(process.env.ROUNDS || 3);

const mem = (root) => {
  const total = { rss: 0, peak: 0 };
  for (const pid of treePids(root)) {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)[1]);
    total.rss += kb('VmRSS') / 1024;
    total.peak += kb('VmHWM') / 1024;
  }
  return total;
};

async function main() {
  const server = await startServer('up');
  const { base, serverPk, crypto: c } = server;
  try {
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
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
