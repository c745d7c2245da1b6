/**
 * `sogs import-pysogs` refuses what it must without writing anything (not a reference database,
 * an unknown schema version, a key that is not the reference's, a target that is not empty or has
 * another key, a running server), continues an interrupted import where it stopped without writing
 * a row twice, only verifies a finished one again, and replaces a target with --force.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import initSqlJs from 'sql.js';
import { runCommand } from '../support/cli-runner';
import { build, startServer } from '../support/processes';
import { buildReferenceFixture, ReferenceFixture, writeReferenceKey, writeReferenceUploads, writeSqliteReference } from '../support/pysogs-reference';
import { openTestDatabase, TestDatabase } from '../support/test-database';

describe('sogs import-pysogs: refusals, resuming, --force', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-import-safety-'));
  const refDb = path.join(scratch, 'ref', 'sogs.db');
  const refKey = path.join(scratch, 'ref', 'key_x25519');
  const refUploads = path.join(scratch, 'ref', 'uploads');
  let fixture: ReferenceFixture;
  let target: TestDatabase;

  beforeAll(async () => {
    fixture = await buildReferenceFixture();
    // 40 more users, so that the users table takes several batches of 5.
    for (let i = 0; i < 40; i++) {
      fixture.tables.users.push({
        id: 100 + i,
        session_id: `15${randomBytes(32).toString('hex')}`,
        created: fixture.now - 1000 + i,
        last_active: fixture.now - 10 + i,
        banned: false,
        moderator: false,
        admin: false,
        visible_mod: false,
      });
    }
    await writeSqliteReference(refDb, fixture);
    writeReferenceUploads(refUploads, fixture);
    writeReferenceKey(refKey, fixture);
    target = await openTestDatabase({ migrate: false });
  });

  afterAll(async () => {
    await target?.close().catch(() => undefined);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const importCli = (env: Record<string, string>, ...extra: string[]) =>
    runCommand(['import-pysogs', '--from', refDb, '--uploads', refUploads, '--key', refKey, ...extra], env);
  const intoTarget = (dataDir: string) => ({ SOGS_DATA_DIR: dataDir, DATABASE_URL: target.connection.url });
  const count = async (table: string, where = 'true') => (await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`))[0].n;
  const tables = async () => (await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = current_schema()`))[0].n;

  /** Rewrites the reference file with sql.js (CHECK constraints off: the reference would refuse these rows). */
  const editReference = async (file: string, sql: string) => {
    const SQL = await initSqlJs();
    const db = new SQL.Database(fs.readFileSync(file));
    db.exec(`PRAGMA ignore_check_constraints = ON; ${sql}`);
    fs.writeFileSync(file, Buffer.from(db.export()));
    db.close();
  };

  it('refuses a file that is not a reference database, an unknown schema version and a wrong key, creating nothing', async () => {
    const dataDir = path.join(scratch, 'never');
    const notSqlite = path.join(scratch, 'notes.txt');
    fs.writeFileSync(notSqlite, 'hello');
    const other = path.join(scratch, 'other.db');
    const oldSchema = path.join(scratch, 'old.db');
    const SQL = await initSqlJs();
    const o = new SQL.Database();
    o.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    fs.writeFileSync(other, Buffer.from(o.export()));
    fs.copyFileSync(refDb, oldSchema);
    // As a reference before its 0.3 migrations: no seqno_creation, no scheduled bans.
    await editReference(oldSchema, 'ALTER TABLE messages DROP COLUMN seqno_creation; DROP TABLE user_ban_futures;');
    const wrongKey = path.join(scratch, 'wrong_key');
    fs.writeFileSync(wrongKey, randomBytes(32));

    const cases: Array<[string[], RegExp]> = [
      [['--from', notSqlite], new RegExp(`^sogs: ${notSqlite} is not a session-pysogs database: it is not an SQLite database file$`)],
      [['--from', other], new RegExp(`^sogs: SQLite ${other} is not a session-pysogs database \\(it has no rooms, messages and users tables\\)$`)],
      [
        ['--from', oldSchema],
        /^sogs: SQLite .*old\.db is a session-pysogs database of an unknown schema version \(messages lacks seqno_creation; no table user_ban_futures\)\. .*start that version of the reference once/,
      ],
      [['--key', wrongKey], new RegExp(`^sogs: the key is not this reference's: its system user is ${fixture.systemSessionId}`)],
      [['--key', notSqlite], /^sogs: .*notes\.txt is not a reference key_x25519 file \(it must hold 32 raw bytes; it holds 5\)$/],
      [['--uploads', path.join(scratch, 'nowhere')], /^sogs: the uploads directory .*nowhere does not exist$/],
    ];
    // Each case names the one option it changes (given last, it wins).
    for (const [args, message] of cases) {
      const { code, stderr } = await importCli(intoTarget(dataDir), ...args);
      expect({ args, code, stderr }).toEqual({ args, code: 1, stderr: expect.stringMatching(message) });
    }
    expect(fs.existsSync(dataDir)).toBe(false);
    expect(await tables()).toBe(0);

    // Bad arguments: exit 2.
    expect((await runCommand(['import-pysogs', '--from', refDb], intoTarget(dataDir))).code).toBe(2);
    expect((await importCli(intoTarget(dataDir), '--batch-rows', '0')).code).toBe(2);
  });

  it('stops at a batch it cannot write, keeping the batches before it, and the same command continues there', async () => {
    const dataDir = path.join(scratch, 'resumed');
    // A banned moderator: the reference's CHECK forbids it, and so does this server's.
    await editReference(refDb, 'UPDATE users SET banned = 1, moderator = 1 WHERE id = 120');
    const failed = await importCli(intoTarget(dataDir), '--batch-rows', '5');
    expect(failed.code).toBe(1);
    // In id order 1–17 and 100–139, 5 a batch: the batch of 118–122 fails after 35 rows went in.
    expect(failed.stderr).toMatch(
      /^sogs: users: the batch after row 35 failed \(.*users_not_banned_staff.*\); the 35 rows before it are in\. Fix the cause and run the same command again: it continues there$/,
    );
    expect(await count('users', 'id <> 0')).toBe(34); // the reference's system user is this server's own
    expect(await count('messages')).toBe(0);
    expect(fs.readFileSync(path.join(dataDir, 'key_x25519'))).toEqual(fixture.serverPrivateKey);

    await editReference(refDb, 'UPDATE users SET banned = 0, moderator = 0 WHERE id = 120');
    const resumed = await importCli(intoTarget(dataDir), '--batch-rows', '5');
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^Continuing the interrupted import of \S+ \(so far: users 35\)$/m);
    expect(resumed.stdout).toMatch(/^users: 57\/57 rows done \(1 merged\), \d+ rows\/s$/m);
    expect(resumed.stdout).toMatch(/^ {2}users +57 +56 +0 +1 +56 +\d+ +ok$/m);
    expect(resumed.stdout).not.toMatch(/differ/);
    const t = fixture.tables;
    expect(await count('users', 'id <> 0')).toBe(t.users.length - 1);
    expect(await count('messages')).toBe(t.messages.length);
    expect(await count('files')).toBe(t.files.length);
    expect(await count('inbox')).toBe(t.inbox.length);
    expect(await target.query(`SELECT id FROM users GROUP BY id HAVING count(*) > 1`)).toEqual([]);

    // Finished: run again, it only verifies.
    const again = await importCli(intoTarget(dataDir));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^This reference was imported here at \S+; checking it again\.$/m);
    expect(again.stdout).not.toMatch(/rows\/s/);
    expect(await count('messages')).toBe(t.messages.length);
  });

  it('refuses a database that holds anything else, and a data directory with another key; --force replaces both', async () => {
    const dataDir = path.join(scratch, 'resumed');
    // Another reference (one message more) into the database that holds the first import.
    const second = path.join(scratch, 'second.db');
    fs.copyFileSync(refDb, second);
    await editReference(second, `DELETE FROM messages WHERE id = (SELECT max(id) FROM messages)`);
    const before = await count('messages');
    const notEmpty = await importCli(intoTarget(dataDir), '--from', second);
    expect(notEmpty.code).toBe(1);
    expect(notEmpty.stderr).toMatch(/^sogs: the database \(.*\) is not empty: it holds an import of SQLite .*sogs\.db\. Import into a new server .*or give --force/);
    expect(await count('messages')).toBe(before);

    const otherKey = randomBytes(32);
    const keyed = path.join(scratch, 'keyed');
    fs.mkdirSync(keyed);
    fs.writeFileSync(path.join(keyed, 'key_x25519'), otherKey, { mode: 0o600 });
    const anotherKey = await importCli(intoTarget(keyed), '--from', second);
    expect(anotherKey.code).toBe(1);
    expect(anotherKey.stderr).toMatch(/^sogs: this server already has another key \(.*keyed\/key_x25519, public key [0-9a-f]{64}\); importing replaces it with the reference key: give --force/);
    expect(fs.readFileSync(path.join(keyed, 'key_x25519'))).toEqual(otherKey);
    expect(await count('messages')).toBe(before);

    const forced = await importCli(intoTarget(keyed), '--from', second, '--force');
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^Emptying the database first \(--force\): it held an import of SQLite .*sogs\.db$/m);
    expect(fs.readFileSync(path.join(keyed, 'key_x25519'))).toEqual(fixture.serverPrivateKey);
    expect(await count('messages')).toBe(before - 1);
    expect(await target.query(`SELECT value FROM server_settings WHERE name = 'data_dir'`)).toEqual([{ value: keyed }]);
  });

  it('refuses while the server runs on the embedded database of the data directory', async () => {
    const dataDir = path.join(scratch, 'running');
    fs.mkdirSync(dataDir, { recursive: true });
    writeReferenceKey(path.join(dataDir, 'key_x25519'), fixture);
    await build();
    const server = await startServer({ SOGS_DATA_DIR: dataDir, SOGS_PORT: '0', SOGS_WORKERS: '1', SOGS_LOG_LEVEL: 'warn' });
    try {
      const r = await importCli({ SOGS_DATA_DIR: dataDir });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`sogs: the server is running on ${dataDir}: stop it, import, then start it again`);
      const rooms = await fetch(`http://127.0.0.1:${server.port}/rooms`);
      expect(await rooms.json()).toEqual([]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 180_000);
});
