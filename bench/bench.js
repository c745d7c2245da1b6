#!/usr/bin/env node
// npm run bench: starts the built server (embedded PGlite, or DATABASE_URL when set) on a free
// loopback port, then loads it with real requests (anonymous, signed with blinded keys the way
// the Session desktop signs, and the desktop's poll batch) and prints requests/s, latency
// percentiles, the server's CPU time per request and its resident memory. Bounded: each scenario runs BENCH_SECONDS (default 10) with BENCH_CONNECTIONS
// (default 20) connections, against 127.0.0.1 only.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const autocannon = require('autocannon');
const { startServer } = require('./server');
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 20);

/** A client that signs each request afresh (new nonce) like the Session desktop. */
function signer(c, serverPk) {
  const seed = crypto.randomBytes(32);
  const kp = c.blindedKeyPair(seed, serverPk);
  const pubkey = '15' + kp.publicKey.toString('hex');
  return (method, url, body = Buffer.alloc(0)) => {
    const nonce = crypto.randomBytes(16);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const q = url.indexOf('?');
    const msg = c.signedMessage({
      serverPk, nonce, timestamp, method,
      path: decodeURIComponent(q < 0 ? url : url.slice(0, q)),
      query: q < 0 ? '' : url.slice(q + 1),
      body,
    });
    return {
      'X-SOGS-Pubkey': pubkey,
      'X-SOGS-Timestamp': timestamp,
      'X-SOGS-Nonce': nonce.toString('base64'),
      'X-SOGS-Signature': c.blindedSign(msg, seed, serverPk).toString('base64'),
    };
  };
}

/** A desktop-style v4 onion request (aes-gcm, fresh ephemeral key) around a signed inner request. */
function onionWrapper(c, serverPk, sign) {
  return (method, endpoint, body) => {
    const priv = crypto.randomBytes(32);
    const pub = c.x25519PublicKey(priv);
    const key = c.onionKeyForClient('aes-gcm', priv, pub, serverPk);
    const meta = JSON.stringify({ method, endpoint, headers: { ...sign(method, endpoint, body), 'Content-Type': 'application/json' } });
    const blob = c.onionEncrypt('aes-gcm', key, c.bencodeList(body.length ? [meta, body] : [meta]));
    return c.buildOnionEnvelope(blob, JSON.stringify({ host: 'bench.example.org', target: '/oxen/v4/lsrpc', ephemeral_key: pub.toString('hex') }));
  };
}

/** The server's CPU time (user + system, ms) and resident memory (MB), from /proc; null elsewhere. */
function serverUsage(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(stat[11]) + Number(stat[12]);
    const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    return { cpuMs: ticks * 10, rssMb: Math.round(rss / 1024) };
  } catch {
    return null;
  }
}

function run(name, base, request) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url: base, connections: CONNECTIONS, duration: SECONDS, requests: [request] },
      (err, r) => (err ? reject(err) : resolve({ name, r })),
    );
  });
}

async function main() {
  const server = await startServer('bench');
  const { base, serverPk } = server;
  try {
    const sign = signer(server.crypto, serverPk);
    const onion = onionWrapper(server.crypto, serverPk, sign);
    const poll = Buffer.from(
      JSON.stringify([
        { method: 'GET', path: '/capabilities' },
        { method: 'GET', path: '/room/bench/pollInfo/0' },
        { method: 'GET', path: '/room/bench/messages/recent?reactors=5' },
      ]),
    );
    const scenarios = [
      ['GET /capabilities (anonymous)', { method: 'GET', path: '/capabilities' }],
      ['GET /capabilities (signed, blinded)', { method: 'GET', path: '/capabilities', setupRequest: (req) => ({ ...req, headers: sign('GET', '/capabilities') }) }],
      [
        'POST /batch desktop poll (signed)',
        {
          method: 'POST',
          path: '/batch',
          setupRequest: (req) => ({ ...req, body: poll, headers: { ...sign('POST', '/batch', poll), 'content-type': 'application/json' } }),
        },
      ],
      [
        'POST /oxen/v4/lsrpc desktop poll (onion, aes-gcm)',
        { method: 'POST', path: '/oxen/v4/lsrpc', setupRequest: (req) => ({ ...req, body: onion('POST', '/batch', poll) }) },
      ],
    ];
    const rows = [];
    for (const [name, request] of scenarios) {
      const before = serverUsage(server.pid);
      const { r } = await run(name, base, request);
      const after = serverUsage(server.pid);
      const answered = r['2xx'] + r.non2xx;
      rows.push({
        scenario: name,
        'req/s': Math.round(r.requests.average),
        'p50 ms': r.latency.p50,
        'p90 ms': r.latency.p90,
        'p99 ms': r.latency.p99,
        '2xx': r['2xx'],
        'non-2xx': r.non2xx,
        errors: r.errors,
        // CPU the server spent per request: steadier than req/s on a shared machine.
        'server µs/req': before && after && answered ? Math.round(((after.cpuMs - before.cpuMs) * 1000) / answered) : '-',
        'server RSS MB': after ? after.rssMb : '-',
      });
    }
    console.log('\nThe load generator shares the machine and signs/encrypts every request itself.');
    console.log(`${CONNECTIONS} connections, ${SECONDS} s per scenario, ${os.cpus().length} cores, database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}`);
    console.table(rows);
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
