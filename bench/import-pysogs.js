#!/usr/bin/env node
// npm run bench:import: how long `sogs import-pysogs` takes for a large reference database, and
// how much memory it needs. Writes a session-pysogs SQLite database (the reference schema from
// test/support/pysogs-reference.ts) with MESSAGES messages (default 1,000,000) in 5 rooms by
// MESSAGES/100 users: 200–420 byte payloads padded as Session pads them, every 20th message edited
// (a history row), every 100th deleted, every 10th with 1–3 reactions, 200 files, 1,000 DMs. Then
// runs the built CLI (dist/) as a process of its own into a fresh data directory: the embedded
// database, or with DATABASE_URL a new database `sogs_import_<random>` on that server (dropped at
// the end). Prints the import's own output, the wall time and the CLI's peak RSS (getrusage).
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const MESSAGES = Number(process.env.MESSAGES || 1_000_000);

/** Loads TypeScript modules of the test support (the reference schema) without a build step. */
function requireTs(file) {
  const ts = require('typescript');
  require.extensions['.ts'] ??= (m, filename) => {
    const js = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true },
      fileName: filename,
    }).outputText;
    m._compile(js, filename);
  };
  return require(file);
}

async function writeReference(dir) {
  const { REFERENCE_SQLITE_DDL } = requireTs(path.join(ROOT, 'test/support/pysogs-reference.ts'));
  const { x25519PublicKey } = require(path.join(ROOT, 'dist/src/crypto/x25519'));
  const initSqlJs = require('sql.js');
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.exec(REFERENCE_SQLITE_DDL);
  const key = crypto.randomBytes(32);
  fs.writeFileSync(path.join(dir, 'key_x25519'), key, { mode: 0o600 });
  const now = Date.now() / 1000 - 86400;
  const users = Math.max(100, Math.floor(MESSAGES / 100));
  const rooms = 5;
  db.exec('BEGIN');
  const u = db.prepare(`INSERT INTO users (id, session_id, created, last_active, moderator, admin) VALUES (?, ?, ?, ?, ?, ?)`);
  u.run([1, 'ff' + Buffer.from(x25519PublicKey(key)).toString('hex'), now, now, 1, 1]);
  for (let i = 2; i <= users + 1; i++) u.run([i, '15' + crypto.randomBytes(32).toString('hex'), now, now, 0, 0]);
  u.free();
  const seq = new Array(rooms + 1).fill(0);
  const m = db.prepare(
    `INSERT INTO messages (id, room, "user", posted, edited, seqno, seqno_data, seqno_reactions, seqno_creation, data, data_size, signature)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const h = db.prepare(`INSERT INTO message_history (message, replaced, data, signature) VALUES (?, ?, ?, ?)`);
  const r = db.prepare(`INSERT INTO reactions (id, message, reaction) VALUES (?, ?, ?)`);
  const ur = db.prepare(`INSERT INTO user_reactions (reaction, "user", at) VALUES (?, ?, ?)`);
  let reactionId = 0;
  for (let id = 1; id <= MESSAGES; id++) {
    const room = 1 + (id % rooms);
    const created = ++seq[room];
    const size = 200 + (id % 221);
    const data = crypto.randomBytes(size - 1 - (id % 7)); // the rest is padding, stripped as the reference stores it
    const signature = crypto.randomBytes(64);
    const posted = now + id / 100;
    const deleted = id % 100 === 0;
    const edited = !deleted && id % 20 === 0;
    const dataSeq = deleted || edited ? ++seq[room] : created;
    const reactSeq = id % 10 === 0 ? ++seq[room] : 0;
    m.run([id, room, 2 + (id % users), posted, deleted || edited ? posted + 60 : null, Math.max(dataSeq, reactSeq), dataSeq, reactSeq, created,
      deleted ? null : data, deleted ? null : size, deleted ? null : signature]);
    if (deleted || edited) h.run([id, posted + 60, crypto.randomBytes(size - 1), crypto.randomBytes(64)]);
    if (reactSeq) {
      r.run([++reactionId, id, ['👍', '❤️', '😂'][id % 3]]);
      for (let k = 0; k < 1 + (id % 3); k++) ur.run([reactionId, 2 + ((id + k * 7) % users), posted + k]);
    }
  }
  for (const s of [m, h, r, ur]) s.free();
  for (let room = 1; room <= rooms; room++) {
    db.run(`INSERT INTO rooms (id, token, name, created, message_sequence, info_updates) VALUES (?, ?, ?, ?, ?, 1)`, [room, `room${room}`, `Room ${room}`, now, seq[room]]);
  }
  fs.mkdirSync(path.join(dir, 'uploads'));
  for (let id = 1; id <= 200; id++) {
    const token = `room${1 + (id % rooms)}`;
    const name = `${id}_photo.jpg`;
    fs.mkdirSync(path.join(dir, 'uploads', token), { recursive: true });
    const bytes = crypto.randomBytes(20_000 + id * 100);
    fs.writeFileSync(path.join(dir, 'uploads', token, name), bytes);
    db.run(`INSERT INTO files (id, room, uploader, size, uploaded, expiry, filename, path) VALUES (?, ?, ?, ?, ?, NULL, 'photo.jpg', ?)`,
      [id, 1 + (id % rooms), 2 + id, bytes.length, now, `uploads/${token}/${name}`]);
  }
  for (let id = 1; id <= 1000; id++) {
    db.run(`INSERT INTO inbox (id, recipient, sender, body, posted_at, expiry) VALUES (?, ?, ?, ?, ?, ?)`,
      [id, 2 + (id % users), 2 + ((id * 3) % users), crypto.randomBytes(300), now, now + 15 * 86400]);
  }
  db.exec('COMMIT');
  const file = path.join(dir, 'sogs.db');
  fs.writeFileSync(file, Buffer.from(db.export()));
  db.close();
  return file;
}

function run(argv, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', path.join(__dirname, 'report-maxrss.js'), path.join(ROOT, 'dist/src/cli/main.js'), ...argv], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr: err }));
  });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-import-bench-'));
  let dropDb;
  try {
    let t = Date.now();
    const file = await writeReference(dir);
    console.log(`reference: ${MESSAGES} messages, ${(fs.statSync(file).size / 1e6).toFixed(0)} MB SQLite, written in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const env = { SOGS_DATA_DIR: path.join(dir, 'target'), SOGS_LOG_LEVEL: 'warn' };
    if (process.env.DATABASE_URL) {
      const { Client } = require('pg');
      const name = `sogs_import_${crypto.randomBytes(4).toString('hex')}`;
      const admin = new Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = `/${name}`;
      env.DATABASE_URL = url.toString();
      dropDb = async () => {
        const c = new Client({ connectionString: process.env.DATABASE_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      };
    }
    t = Date.now();
    const { code, stderr } = await run(
      ['import-pysogs', '--from', file, '--uploads', path.join(dir, 'uploads'), '--key', path.join(dir, 'key_x25519')],
      env,
    );
    const seconds = (Date.now() - t) / 1000;
    const rss = /maxrss (\d+)/.exec(stderr);
    process.stderr.write(stderr.replace(/maxrss \d+\n?/, ''));
    console.log(`import-pysogs into ${env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}: exit ${code}, ${seconds.toFixed(1)} s, ` +
      `${Math.round(MESSAGES / seconds)} messages/s overall, peak RSS ${rss ? (Number(rss[1]) / 1024).toFixed(0) : '?'} MB`);
    process.exitCode = code;
  } finally {
    await dropDb?.().catch((e) => console.error(`could not drop the bench database: ${e.message}`));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
