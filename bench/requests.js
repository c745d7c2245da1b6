'use strict';
// Pre-generation: every request of a scenario as the exact HTTP/1.1 bytes the load generator will
// write (request line, Host, headers, X-SOGS-* signature, body), built before the timed part in
// worker threads, one share of each scenario per core, and written to files:
//   <name>.req  the requests back to back
//   <name>.len  their lengths (uint32 little-endian)
//   <name>.key  onion scenarios: the 32-byte symmetric key of each request, to decrypt its reply
//
// Kinds of request:
//   anon        an unsigned GET (one request, which the load generator repeats)
//   get         a signed GET, by the users in turn
//   post        the admin's POST /room/{t}/message: {"data", "signature"}, fresh data each time
//   onion-poll  the desktop's poll batch (sogs-clients.md §2.3) signed by the users in turn, inside
//               an onion v4 request with a fresh ephemeral X25519 key (aes-gcm or xchacha20)
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const { signer } = require('./identities');

const DIST_CRYPTO = path.resolve(__dirname, '../dist/src/crypto');

/** The poll batch of the desktop client for one room, with a stored seqno (sogs-clients.md §2.3). */
function pollBatch(room, latest) {
  return [
    { method: 'GET', path: '/capabilities' },
    { method: 'GET', path: `/room/${room}/pollInfo/0` },
    { method: 'GET', path: `/room/${room}/messages/since/${latest}?t=r&reactors=5` },
    { method: 'GET', path: '/inbox' },
    { method: 'GET', path: '/outbox' },
  ];
}

function rawRequest(port, method, target, headers, body) {
  let head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (body) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

/** Session-style message content: bytes, then Session's padding (0x80, zeros) to 160 bytes. */
function messageData() {
  const data = Buffer.alloc(160);
  crypto.randomFillSync(data, 0, 96);
  data[96] = 0x80;
  return data;
}

/**
 * X25519(priv, 9) with libsodium's generic multiplication: the same key as dist's x25519PublicKey,
 * several times faster here (that one goes through node:crypto key objects; libsodium's own
 * crypto_scalarmult_base is slower still in this build).
 */
const X25519_BASE_POINT = Buffer.alloc(32);
X25519_BASE_POINT[0] = 9;
const x25519PublicKey = (sodium, priv) => Buffer.from(sodium.crypto_scalarmult(priv, X25519_BASE_POINT));

/** Builds requests [from, to) of one task; runs in a worker thread. */
function buildShare(c, ctx, task) {
  const sodium = c.sodium();
  const serverPk = Buffer.from(ctx.serverPk, 'hex');
  const users = ctx.users.map((u) => signer(sodium, u));
  const admin = signer(sodium, ctx.admin);
  const signed = (who, method, target, body) => {
    const nonce = crypto.randomBytes(16);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const q = target.indexOf('?');
    const message = c.signedMessage({
      serverPk,
      nonce,
      timestamp,
      method,
      path: decodeURIComponent(q < 0 ? target : target.slice(0, q)),
      query: q < 0 ? '' : target.slice(q + 1),
      body: body ?? Buffer.alloc(0),
    });
    return {
      'X-SOGS-Pubkey': who.sessionId,
      'X-SOGS-Timestamp': timestamp,
      'X-SOGS-Nonce': nonce.toString('base64'),
      'X-SOGS-Signature': who.sign(message).toString('base64'),
    };
  };
  const pollBody = task.kind === 'onion-poll' ? Buffer.from(JSON.stringify(pollBatch(task.room, task.latest))) : null;

  const reqs = [];
  const keys = [];
  for (let i = task.from; i < task.to; i++) {
    const user = users[i % users.length];
    if (task.kind === 'get') {
      reqs.push(rawRequest(ctx.port, 'GET', task.path, signed(user, 'GET', task.path), null));
    } else if (task.kind === 'post') {
      const data = messageData();
      const body = Buffer.from(JSON.stringify({ data: data.toString('base64'), signature: admin.sign(data).toString('base64') }));
      reqs.push(rawRequest(ctx.port, 'POST', task.path, { 'Content-Type': 'application/json', ...signed(admin, 'POST', task.path, body) }, body));
    } else if (task.kind === 'onion-poll') {
      // As the desktop builds it: metadata keys endpoint, headers, method; Content-Type last.
      const meta = JSON.stringify({
        endpoint: '/batch',
        headers: { ...signed(user, 'POST', '/batch', pollBody), 'Content-Type': 'application/json' },
        method: 'POST',
      });
      const priv = crypto.randomBytes(32);
      const pub = x25519PublicKey(sodium, priv);
      const key = c.onionKeyForClient(task.encType, priv, pub, serverPk);
      const blob = c.onionEncrypt(task.encType, key, c.bencodeList([meta, pollBody]));
      const hop = { host: 'bench.example.org', target: '/oxen/v4/lsrpc', method: 'POST', protocol: 'http', port: 80, ephemeral_key: pub.toString('hex') };
      if (task.encType !== 'aes-gcm') hop.enc_type = task.encType;
      const body = c.buildOnionEnvelope(blob, JSON.stringify(hop));
      reqs.push(rawRequest(ctx.port, 'POST', '/oxen/v4/lsrpc', { 'Content-Type': 'application/octet-stream' }, body));
      keys.push(key);
    } else {
      throw new Error(`unknown request kind ${task.kind}`);
    }
  }
  return {
    buf: Buffer.concat(reqs),
    lens: Uint32Array.from(reqs, (r) => r.length),
    keys: keys.length ? Buffer.concat(keys) : null,
  };
}

if (!isMainThread) {
  const c = require(DIST_CRYPTO);
  c.initCrypto().then(() => {
    const { ctx, tasks } = workerData;
    // The shortcuts must agree with the reference implementations in dist.
    const probe = crypto.randomBytes(32);
    const seed = crypto.createHash('sha256').update(`sogs-bench ${ctx.users[0].label}`).digest();
    if (!signer(c.sodium(), ctx.users[0]).sign(probe).equals(c.blindedSign(probe, seed, Buffer.from(ctx.serverPk, 'hex')))) {
      throw new Error('the bench signer disagrees with blindedSign');
    }
    if (!x25519PublicKey(c.sodium(), probe).equals(c.x25519PublicKey(probe))) throw new Error('the bench X25519 disagrees with x25519PublicKey');
    const out = tasks.map((t) => ({ name: t.name, ...buildShare(c, ctx, t) }));
    parentPort.postMessage(out);
  });
}

function writeRequests(dir, name, parts) {
  const files = { req: path.join(dir, `${name}.req`), len: path.join(dir, `${name}.len`), key: null };
  fs.writeFileSync(files.req, Buffer.concat(parts.map((p) => p.buf)));
  const lens = parts.flatMap((p) => Array.from(p.lens));
  fs.writeFileSync(files.len, Buffer.from(Uint32Array.from(lens).buffer));
  if (parts.some((p) => p.keys)) {
    files.key = path.join(dir, `${name}.key`);
    fs.writeFileSync(files.key, Buffer.concat(parts.map((p) => p.keys)));
  }
  return { ...files, count: lens.length };
}

/**
 * Generates `tasks` ({name, kind, count, …}) into `dir`, in parallel; returns name → files.
 * ctx: {serverPk (hex), port, users, admin} with identities from identities.js.
 */
async function generate(dir, ctx, tasks) {
  const files = {};
  const threaded = [];
  for (const t of tasks) {
    if (t.kind === 'anon') {
      const buf = rawRequest(ctx.port, 'GET', t.path, {}, null);
      files[t.name] = writeRequests(dir, t.name, [{ buf, lens: [buf.length], keys: null }]);
    } else {
      threaded.push(t);
    }
  }
  const threads = Math.max(1, Math.min(os.availableParallelism ? os.availableParallelism() : os.cpus().length, 8));
  const shares = await Promise.all(
    Array.from({ length: threads }, (_, w) => {
      const mine = threaded.map((t) => ({
        ...t,
        from: Math.floor((t.count * w) / threads),
        to: Math.floor((t.count * (w + 1)) / threads),
      }));
      return new Promise((resolve, reject) => {
        const worker = new Worker(__filename, { workerData: { ctx, tasks: mine } });
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => code !== 0 && reject(new Error(`request generator thread exited with ${code}`)));
      });
    }),
  );
  for (const [i, t] of threaded.entries()) {
    const asBuffer = (u8) => u8 && Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
    const parts = shares.map((s) => s[i]).map((p) => ({ buf: asBuffer(p.buf), lens: p.lens, keys: asBuffer(p.keys) }));
    files[t.name] = writeRequests(dir, t.name, parts);
  }
  return files;
}

module.exports = { generate, pollBatch };
