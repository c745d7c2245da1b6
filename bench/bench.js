#!/usr/bin/env node
// npm run bench: the server under the workload of real clients, on a fresh database.
//
// 1. Builds and starts the server (server.js): a new database on the PostgreSQL of DATABASE_URL
//    (dropped at the end), or the embedded PGlite in a throw-away data directory.
// 2. Seeds room `bench` with SQL (seed.js): 1,000 users with blinded ids from seeds kept here, an
//    admin and 3 moderators (added with the admin CLI), 10,000 messages, every 10th with reactions.
// 3. Pre-generates every request of every scenario as raw HTTP bytes, signed, in worker threads
//    (requests.js), so that the load generator only writes bytes and reads replies.
// 4. Runs each scenario with the load generator in a process of its own (load.js): BENCH_CONNECTIONS
//    (16) keep-alive connections, closed loop: a warm-up until the rate stops rising (at most
//    BENCH_WARMUP_MAX, 10 s), then BENCH_SECONDS (8) measured.
//    Meanwhile it reads the CPU time and samples the resident memory of the server's whole process
//    tree (process-tree.js: the primary and its workers; with PGlite the database runs in there too).
// 5. Checks every reply after each run (status, body, the inner status and subresponses of onion
//    replies) and prints one Markdown table. Exit code 1 when any reply was wrong.
//
// (g) seeds a second room with 1,000,000 messages (set-based SQL) after the other scenarios and
// runs `since/{latest}` there. BENCH_ONLY=a,d runs a subset. (b) runs last on room `bench`, since
// its posts would give (c), (d), (e) and (g) messages to return.
'use strict';
const { fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');
const { startServer } = require('./server');
const { identity } = require('./identities');
const { insertUsers, seedMessages, analyze } = require('./seed');
const { generate, pollBatch } = require('./requests');
const { treeCpuMs, treePids, sampleRss } = require('./process-tree');

const num = (name, def, min) => {
  const v = Number(process.env[name] || def);
  if (!(v >= min)) throw new Error(`${name} must be a number, at least ${min}`);
  return v;
};
const CONNECTIONS = Math.round(num('BENCH_CONNECTIONS', 16, 1));
const SECONDS = num('BENCH_SECONDS', 8, 0.1);
const WARMUP_MAX = Math.round(num('BENCH_WARMUP_MAX', 10, 0));
const ONLY = new Set((process.env.BENCH_ONLY || 'a,b,c,d,e,f,g').toLowerCase().split(/[\s,]+/).filter(Boolean));
const ROOM = 'bench';
const BIG_ROOM = 'big';
const USERS = 1000;
const MESSAGES = 10_000;
const BIG_MESSAGES = 1_000_000;

const fmt = (n) => n.toLocaleString('en-US');
const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
const log = (s) => process.stderr.write(`${s}\n`);

/**
 * The scenarios in run order. `target` (req/s) sizes the pre-generated set: target × (seconds + 2)
 * × 1.3, well above what this server reaches on 2 cores; a scenario that runs out stops early.
 */
function scenarios(latest, bigLatest) {
  const signedGet = (path) => ({ kind: 'get', path });
  const empty = { kind: 'empty' };
  const poll = (encType) => ({
    task: { kind: 'onion-poll', encType, room: ROOM, latest },
    check: { kind: 'onion-poll', encType, token: ROOM, paths: pollBatch(ROOM, latest).map((s) => s.path) },
  });
  const since = `/room/${ROOM}/messages/since/${latest}`;
  const list = [
    { id: 'a', order: 1, title: '(a) `GET /room/{t}`, anonymous', target: 15000, task: { kind: 'anon', path: `/room/${ROOM}` }, check: { kind: 'room', token: ROOM } },
    { id: 'c', order: 3, title: '(c) `GET …/messages/since/{latest}`, signed', target: 4000, task: signedGet(since), check: empty },
    { id: 'd', order: 4, title: '(d) desktop poll batch in onion v4, aes-gcm, 1,000 users', target: 2000, ...poll('aes-gcm') },
    { id: 'e', order: 5, title: '(e) desktop poll batch in onion v4, xchacha20, 1,000 users', target: 2000, ...poll('xchacha20') },
    { id: 'f', order: 6, title: '(f) `GET …/messages/since/0` (100 messages), signed', target: 1000, task: signedGet(`/room/${ROOM}/messages/since/0`), check: { kind: 'messages', count: 100 } },
    { id: 'g', order: 7, title: `(g) \`since/{latest}\`, signed, ${fmt(MESSAGES)} messages in the room`, target: 4000, task: signedGet(since), check: empty },
    { id: 'b', order: 2, title: '(b) `POST /room/{t}/message`, signed admin', target: 3000, task: { kind: 'post', path: `/room/${ROOM}/message` }, check: { kind: 'posted' } },
  ];
  if (bigLatest !== undefined) {
    // Run on its own, after the big room is seeded.
    const bigSince = `/room/${BIG_ROOM}/messages/since/${bigLatest}`;
    return [{ id: 'g', order: 8, title: `(g) \`since/{latest}\`, signed, ${fmt(BIG_MESSAGES)} messages in the room`, target: 4000, task: signedGet(bigSince), check: empty }];
  }
  return list.filter((s) => ONLY.has(s.id));
}

async function generateFor(list, dir, ctx) {
  const t = Date.now();
  const tasks = list.map((s, i) => ({ ...s.task, name: `${s.id}${i}`, count: Math.ceil(s.target * (SECONDS + 2) * 1.3) }));
  const files = await generate(dir, ctx, tasks);
  const total = Object.values(files).reduce((n, f) => n + f.count, 0);
  log(`generated ${fmt(total)} requests in ${secs(t)}`);
  return list.map((s, i) => ({ ...s, files: files[`${s.id}${i}`] }));
}

let loadProcess = null;

/** One scenario in the load generator's process; the server's CPU and memory around it. */
function runLoad(server, s) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    loadProcess = child;
    const rss = sampleRss(server.pid, 150);
    let cpu0 = null;
    let cpu1 = null;
    let loadCpu0 = null;
    let loadCpu1 = null;
    let peak = null;
    let result = null;
    child.on('message', (m) => {
      if (m.type === 'measuring') {
        cpu0 = treeCpuMs(server.pid);
        loadCpu0 = treeCpuMs(child.pid);
      } else if (m.type === 'stopped') {
        cpu1 = treeCpuMs(server.pid);
        loadCpu1 = treeCpuMs(child.pid);
        peak = rss.stop();
      } else if (m.type === 'result') result = m;
    });
    child.once('exit', (code) => {
      loadProcess = null;
      rss.stop();
      if (!result || result.fatal) return reject(new Error(`load generator failed (exit ${code}): ${result?.fatal ?? 'no result'}`));
      const cpu = (a, b) => (a !== null && b !== null ? b - a : null);
      resolve({ ...result, cpuMs: cpu(cpu0, cpu1), loadCpuMs: cpu(loadCpu0, loadCpu1), peak });
    });
    child.send({
      port: server.port,
      connections: CONNECTIONS,
      seconds: SECONDS,
      warmupMax: WARMUP_MAX,
      files: s.files,
      repeat: s.task.kind === 'anon',
      check: s.check,
    });
  });
}

function row(s, r) {
  const ms = (v) => (typeof v !== 'number' || Number.isNaN(v) ? '-' : v < 1 ? v.toFixed(2) : v.toFixed(1));
  return {
    order: s.order,
    cells: [
      s.title,
      `${r.seconds > 0 ? fmt(Math.round(r.answered / r.seconds)) : '-'}${r.ranOut ? ' *' : ''}`,
      ms(r.p50),
      ms(r.p99),
      String(r.errors),
      r.cpuMs === null || !r.answered ? '-' : fmt(Math.round((r.cpuMs * 1000) / r.answered)),
      r.peak === null ? '-' : fmt(Math.round(r.peak / 1024 / 1024)),
    ],
  };
}

async function main() {
  const started = Date.now();
  let t = Date.now();
  const server = await startServer(ROOM);
  log(`server built and started in ${secs(t)}`);
  const reqDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-bench-req-'));
  const db = new Client(server.pgConfig);
  let cleaning = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      loadProcess?.kill();
      await db.end().catch(() => undefined);
      await server.stop();
      fs.rmSync(reqDir, { recursive: true, force: true });
    })());
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => cleanup().finally(() => process.exit(130)));
  const rows = [];
  const failures = [];
  try {
    await db.connect();
    const dbVersion = (await db.query('SHOW server_version')).rows[0].server_version;
    const workers = Math.max(1, treePids(server.pid).length - 1);

    t = Date.now();
    const c = server.crypto;
    const users = Array.from({ length: USERS }, (_, i) => identity(c, server.serverPk, `user ${i}`));
    const admin = identity(c, server.serverPk, 'admin');
    const userIds = await insertUsers(db, users.map((u) => u.sessionId));
    server.cli('moderators', 'add', admin.sessionId, '--room', ROOM, '--admin');
    server.cli('moderators', 'add', ...users.slice(0, 3).map((u) => u.sessionId), '--room', ROOM);
    const { latest } = await seedMessages(db, ROOM, { count: MESSAGES, authorIds: userIds, reactEvery: 10 });
    await analyze(db);
    log(`seeded ${fmt(USERS)} users, 1 admin, 3 moderators, ${fmt(MESSAGES)} messages (latest seqno ${latest}) in ${secs(t)}`);

    const ctx = { serverPk: server.serverPk.toString('hex'), port: server.port, users, admin };
    const run = async (list) => {
      for (const s of await generateFor(list, reqDir, ctx)) {
        const r = await runLoad(server, s);
        rows.push(row(s, r));
        const busy = (ms) => (ms === null ? '-' : `${Math.round(ms / 10 / r.seconds)} %`);
        log(`${s.title}: ${rows.at(-1).cells.slice(1).join(' | ')} (after ${r.warmup.toFixed(0)} s warm-up; CPU: server ${busy(r.cpuMs)}, load generator ${busy(r.loadCpuMs)})`);
        if (r.errors) failures.push(`${s.title}: ${r.errors} wrong replies of ${fmt(r.sent)}\n  ${r.examples.join('\n  ')}`);
        for (const f of Object.values(s.files)) if (f && typeof f === 'string') fs.rmSync(f, { force: true });
      }
    };
    await run(scenarios(latest));

    if (ONLY.has('g')) {
      t = Date.now();
      server.cli('rooms', 'add', BIG_ROOM, '--name', 'Bench big');
      const big = await seedMessages(db, BIG_ROOM, {
        count: BIG_MESSAGES,
        authorIds: userIds,
        onProgress: (n) => n % 500_000 === 0 && log(`  ${fmt(n)} messages in ${secs(t)}`),
      });
      await analyze(db);
      log(`seeded room ${BIG_ROOM} with ${fmt(BIG_MESSAGES)} messages in ${secs(t)}`);
      await run(scenarios(latest, big.latest));
    }

    rows.sort((x, y) => x.order - y.order);
    const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'server µs/req', 'server peak RSS MB'];
    console.log('');
    console.log(
      `${server.database.kind} ${dbVersion}${server.database.kind === 'PostgreSQL' ? ` (fresh database ${server.database.name})` : ''}, ` +
        `${os.cpus().length} cores, ${workers} server worker${workers === 1 ? '' : 's'}, ${CONNECTIONS} connections, ` +
        `${SECONDS} s per scenario ${WARMUP_MAX ? `after a warm-up (until the rate stops rising, at most ${WARMUP_MAX} s)` : 'without warm-up'}, ` +
        `${fmt(MESSAGES)} messages in the room` +
        `${ONLY.has('g') ? ` (and ${fmt(BIG_MESSAGES)} in the second room of (g))` : ''}`,
    );
    console.log('');
    console.log(`| ${header.join(' | ')} |`);
    console.log(`|${header.map((h, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    for (const r of rows) console.log(`| ${r.cells.join(' | ')} |`);
    if (rows.some((r) => r.cells[1].endsWith('*'))) console.log('\n\\* ran out of pre-generated requests before the time was up; rate over the time it ran.');
    if (failures.length) {
      console.error(`\nWrong replies:\n${failures.join('\n')}`);
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
  console.log(`\nTotal wall time ${secs(started)}, stopping the server and removing its database included.`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
