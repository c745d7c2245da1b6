'use strict';
// The load generator, a process of its own (forked by bench.js). It receives one scenario over
// IPC: the files of pre-generated requests (requests.js), the port, connections, seconds, and what
// a correct reply looks like. It opens that many keep-alive connections; each writes the next
// request as soon as its previous reply is complete (closed loop) until the time is up or the
// requests run out. It only splits replies apart while the clock runs (status line, headers,
// Content-Length or chunked body) and keeps them; every reply is checked after the timed part.
//
// Messages to the parent: {type: 'measuring'} when the warm-up ends, {type: 'stopped'} when the
// last reply is in (the parent reads the server's CPU time at both), then {type: 'result', …}.
// Rates, latencies and CPU are over the measured part only; every reply is checked.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const c = require(path.resolve(__dirname, '../dist/src/crypto'));

function loadRequests(files) {
  const buf = fs.readFileSync(files.req);
  const lenBytes = fs.readFileSync(files.len);
  const lens = new Uint32Array(lenBytes.buffer, lenBytes.byteOffset, lenBytes.length / 4);
  const offsets = new Float64Array(lens.length + 1);
  for (let i = 0; i < lens.length; i++) offsets[i + 1] = offsets[i] + lens[i];
  return {
    count: lens.length,
    get: (i) => buf.subarray(offsets[i], offsets[i + 1]),
    keys: files.key ? fs.readFileSync(files.key) : null,
  };
}

/** Splits one connection's byte stream into replies: calls onReply(status, body) for each. */
function replyParser(onReply) {
  let buf = null;
  let status = 0;
  let bodyStart = -1; // -1: still in the head
  let length = -1; // Content-Length; -1 with chunked
  let chunked = false;
  return (chunk) => {
    buf = buf ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (bodyStart < 0) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.latin1Slice(0, end).toLowerCase();
        status = Number(head.slice(9, 12));
        const cl = /\r\ncontent-length:\s*(\d+)/.exec(head);
        chunked = /\r\ntransfer-encoding:[^\r]*chunked/.test(head);
        length = cl ? Number(cl[1]) : chunked ? -1 : 0; // no length and not chunked: 204/304
        bodyStart = end + 4;
      }
      let body;
      let rest;
      if (!chunked) {
        if (buf.length < bodyStart + length) return;
        body = Buffer.from(buf.subarray(bodyStart, bodyStart + length)); // a copy: keeps no socket chunk alive
        rest = buf.subarray(bodyStart + length);
      } else {
        const parts = [];
        let pos = bodyStart;
        for (;;) {
          const eol = buf.indexOf('\r\n', pos);
          if (eol < 0) return;
          const size = parseInt(buf.latin1Slice(pos, eol), 16);
          if (size === 0) {
            const end = buf.indexOf('\r\n\r\n', eol); // no trailers expected: "0\r\n\r\n"
            if (end < 0) return;
            rest = buf.subarray(end + 4);
            break;
          }
          if (buf.length < eol + 2 + size + 2) return;
          parts.push(buf.subarray(eol + 2, eol + 2 + size));
          pos = eol + 2 + size + 2;
        }
        body = Buffer.concat(parts);
      }
      buf = rest.length ? rest : null;
      bodyStart = -1;
      onReply(status, body);
      if (!buf) return;
    }
  };
}

async function run(cfg) {
  const reqs = loadRequests(cfg.files);
  const limit = cfg.repeat ? Infinity : reqs.count;
  const start = [];
  const end = [];
  const statuses = [];
  const bodies = [];
  let next = 0;
  let inFlight = 0;
  let replies = 0;
  let connErrors = 0;
  const t0 = performance.now();
  let warmEnd = Infinity;
  let deadline = Infinity;
  let finished;
  const done = new Promise((r) => (finished = r));
  // Warm-up: until the replies per second stop rising (the last 2 s under 3 % above the 2 s
  // before), at most cfg.warmupMax seconds. A freshly started server speeds up for seconds under
  // load (optimised code arrives late when every core is busy), the first onion poll the longest.
  const windows = [];
  const measure = () => {
    clearInterval(warmTimer);
    warmEnd = performance.now();
    deadline = warmEnd + cfg.seconds * 1000;
    process.send({ type: 'measuring' });
  };
  const warmTimer = setInterval(() => {
    windows.push(replies - windows.reduce((a, b) => a + b, 0));
    const [a, b, c, d] = windows.slice(-4);
    if (windows.length >= cfg.warmupMax || (d !== undefined && c + d < (a + b) * 1.03)) measure();
  }, 1000);
  if (!cfg.warmupMax) measure();
  let open = cfg.connections;

  const connect = () => {
    const socket = net.connect(cfg.port, '127.0.0.1');
    socket.setNoDelay(true);
    let current = -1;
    let closing = false;
    const send = () => {
      if (performance.now() >= deadline || next >= limit) {
        closing = true;
        socket.destroy();
        if (--open === 0) finished();
        return;
      }
      current = next++;
      inFlight++;
      start[current] = performance.now();
      socket.write(reqs.get(cfg.repeat ? current % reqs.count : current));
    };
    socket.on(
      'data',
      replyParser((status, body) => {
        end[current] = performance.now();
        statuses[current] = status;
        bodies[current] = body;
        replies++;
        inFlight--;
        current = -1;
        send();
      }),
    );
    socket.once('connect', send);
    socket.on('error', () => {}); // 'close' follows
    socket.on('close', () => {
      if (closing) return;
      // Refused, or dropped by the server: a request in flight failed; carry on afresh.
      if (current >= 0) {
        end[current] = performance.now();
        statuses[current] = 0;
        bodies[current] = Buffer.from('connection closed before the reply');
        inFlight--;
        current = -1;
      } else {
        connErrors++;
      }
      if (performance.now() < deadline && next < limit) setTimeout(connect, 100);
      else if (--open === 0) finished();
    });
  };
  for (let i = 0; i < cfg.connections; i++) connect();
  const hardStop = setTimeout(() => {
    process.send({ type: 'result', fatal: `replies still missing 30 s after the time was up (${inFlight} in flight)` });
    process.exit(1);
  }, (cfg.warmupMax + cfg.seconds + 30) * 1000);
  await done;
  clearTimeout(hardStop);
  if (warmEnd === Infinity) measure(); // ran out of requests while warming up
  process.send({ type: 'stopped' });

  // The timed part is over: check every reply.
  const sent = start.length;
  const check = checker(cfg.check, reqs);
  let errors = connErrors;
  const examples = connErrors ? [`${connErrors} connections refused or dropped between requests`] : [];
  for (let i = 0; i < sent; i++) {
    const problem = statuses[i] === undefined ? 'no reply' : check(i, statuses[i], bodies[i]);
    if (problem) {
      errors++;
      if (examples.length < 3) examples.push(`request #${i}: ${problem}`);
    }
  }
  const lat = [];
  let answered = 0;
  let last = warmEnd;
  for (let i = 0; i < sent; i++) {
    if (end[i] >= warmEnd) {
      answered++;
      if (end[i] > last) last = end[i];
    }
    if (start[i] >= warmEnd) lat.push(end[i] - start[i]);
  }
  const sorted = Float64Array.from(lat).sort();
  const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : NaN);
  return {
    type: 'result',
    warmup: (warmEnd - t0) / 1000,
    sent,
    answered,
    seconds: (last - warmEnd) / 1000,
    ranOut: next >= limit,
    p50: pct(50),
    p99: pct(99),
    errors,
    examples,
  };
}

const snippet = (body) => JSON.stringify(body.subarray(0, 300).toString('utf8'));

function json(body) {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** check(i, status, body) → null when the reply is right, else what is wrong. */
function checker(spec, reqs) {
  const statusIs = (want, status, body) => (status === want ? null : `status ${status}, expected ${want}: ${snippet(body)}`);
  switch (spec.kind) {
    case 'room':
      return (i, status, body) => statusIs(200, status, body) ?? (json(body)?.token === spec.token ? null : `not room ${spec.token}: ${snippet(body)}`);
    case 'empty':
      return (i, status, body) => {
        const j = json(body);
        return statusIs(200, status, body) ?? (Array.isArray(j) && j.length === 0 ? null : `expected []: ${snippet(body)}`);
      };
    case 'messages':
      return (i, status, body) => {
        if (status !== 200) return statusIs(200, status, body);
        const j = json(body);
        if (!Array.isArray(j) || j.length !== spec.count) return `expected ${spec.count} messages, got ${Array.isArray(j) ? j.length : snippet(body)}`;
        const bad = j.find((m) => !(m.id > 0 && m.seqno > 0 && /^15[0-9a-f]{64}$/.test(m.session_id) && m.data && m.signature && m.reactions));
        return bad ? `malformed message ${JSON.stringify(bad).slice(0, 300)}` : null;
      };
    case 'posted':
      return (i, status, body) => {
        const sent = reqs.get(i);
        const data = JSON.parse(sent.subarray(sent.indexOf('\r\n\r\n') + 4).toString()).data;
        const j = json(body);
        return statusIs(201, status, body) ?? (j?.id > 0 && j.data === data ? null : `not the posted message: ${snippet(body)}`);
      };
    case 'onion-poll':
      return (i, status, body) => {
        if (status !== 200) return `outer status ${status}: ${snippet(body)}`;
        const plain = c.onionDecrypt(spec.encType, reqs.keys.subarray(i * 32, i * 32 + 32), body);
        const parts = plain && c.bdecodeList(plain);
        if (!parts || parts.length !== 2) return `undecodable onion reply (${body.length} bytes)`;
        const meta = json(parts[0]);
        if (meta?.code !== 200) return `inner status ${meta?.code}: ${snippet(parts[1])}`;
        const subs = json(parts[1]);
        if (!Array.isArray(subs) || subs.length !== spec.paths.length) return `batch of ${spec.paths.length} expected: ${snippet(parts[1])}`;
        for (const [k, sub] of subs.entries()) {
          const p = spec.paths[k];
          // inbox/outbox `since` answer 304 when there is nothing new; everything else 200.
          const ok = sub.code === 200 || (sub.code === 304 && /^\/(inbox|outbox)\//.test(p));
          if (!ok) return `subrequest ${p}: code ${sub.code} ${JSON.stringify(sub.body).slice(0, 200)}`;
          if (sub.code === 304) continue;
          const b = sub.body;
          const good = p === '/capabilities' ? Array.isArray(b?.capabilities) && b.capabilities.includes('sogs')
            : p.includes('/pollInfo/') ? b?.token === spec.token
            : Array.isArray(b) && b.length === 0; // messages/since/{latest}, inbox, outbox: nothing new
          if (!good) return `subrequest ${p}: unexpected body ${JSON.stringify(b).slice(0, 200)}`;
        }
        return null;
      };
    default:
      throw new Error(`unknown check ${spec.kind}`);
  }
}

process.once('disconnect', () => process.exit(1)); // the bench has gone
process.once('message', (cfg) => {
  c.initCrypto()
    .then(() => run(cfg))
    .then((result) => process.send(result, () => process.exit(0)))
    .catch((err) => process.send({ type: 'result', fatal: err.stack }, () => process.exit(1)));
});
