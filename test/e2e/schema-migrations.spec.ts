/**
 * The data layer's contract with the database: the TypeORM migrations build exactly what the
 * entities describe, revert cleanly, and carry a database made before TypeORM migrations over
 * without losing a row (the fixture was made by that version through its own API).
 */
import { Client } from 'pg';
import request from 'supertest';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { parseSessionContent } from '../../src/crypto';
import { Migrator } from '../../src/database/migrator';
import { legacyDump, pendingEntityChanges, snapshotRows } from '../support/schema';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';
import { openTestDatabase, TestDatabase } from '../support/test-database';

const ALL = MIGRATIONS.map((m) => m.name);

describe('a new database', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  it('has every migration recorded in the TypeORM migrations table, in order', async () => {
    const rows = await t.database.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(ALL);
    expect(await t.database.query(`SELECT to_regclass('schema_migrations') AS t`)).toEqual([{ t: null }]);
  });

  it('is exactly what the entities describe: a migration generated from them is empty', async () => {
    expect(await pendingEntityChanges(t.database.db.dataSource)).toEqual([]);
  });

  it('reverts every migration and applies them again to the same schema', async () => {
    const migrator = new Migrator(t.database.db.dataSource);
    const ds = t.database.db.dataSource;
    for (let i = 0; i < ALL.length; i++) await ds.undoLastMigration({ transaction: 'all' });
    const left = await t.database.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(left.map((r) => r.t)).toEqual(['migrations', 'typeorm_metadata']);
    expect(await migrator.pending()).toEqual(ALL);
    expect(await migrator.run()).toEqual(ALL);
    expect(await migrator.pending()).toEqual([]);
    expect(await pendingEntityChanges(ds)).toEqual([]);
  });
});

describe('running the migrations', () => {
  let database: TestDatabase;
  beforeEach(async () => (database = await openTestDatabase({ migrate: false })));
  afterEach(() => database.close());

  it('migrates once when several instances start together (advisory lock)', async () => {
    const instances = await Promise.all([1, 2, 3].map(() => database.dataSource()));
    const applied = await Promise.all(instances.map((ds) => new Migrator(ds).run()));
    expect(applied.map((names) => names.length).sort()).toEqual([0, 0, ALL.length]);
    expect((await database.query('SELECT name FROM migrations ORDER BY id')).map((r) => r.name)).toEqual(ALL);
  });

  it('applies nothing when one migration fails: one transaction', async () => {
    class Broken1799999999999 implements MigrationInterface {
      async up(q: QueryRunner): Promise<void> {
        await q.query('ALTER TABLE no_such_table ADD COLUMN x int');
      }
      async down(): Promise<void> {}
    }
    const ds = await database.dataSource({ migrations: [...MIGRATIONS, Broken1799999999999] });
    await expect(new Migrator(ds).run()).rejects.toThrow(/no_such_table/);
    const tables = await database.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(tables).toEqual([]);
    expect(await new Migrator(ds).pending()).toEqual([...ALL, 'Broken1799999999999']);
  });
});

describe('a database made before TypeORM migrations (commit 2fc36dc)', () => {
  const KEY = Buffer.alloc(32, 0x5a);
  let t: TestApp;
  let before: Record<string, string[]>;
  const client = (n: number) => new SessionClient(Buffer.alloc(32, n), t.serverKey.publicKey, () => t.clock.now());

  beforeAll(async () => {
    t = await createTestApp({
      serverPrivateKey: KEY,
      beforeMigrations: async (c: Client) => {
        await c.query(legacyDump());
        await c.query('SET search_path TO public'); // the dump empties it for its session
        before = await snapshotRows(c);
      },
    });
  });
  afterAll(() => t.close());

  it('keeps every row of every table', async () => {
    const c = await t.database.pool.connect();
    try {
      // message_history gained a key, rooms their listing and retention settings (checked below) and
      // a welcome text and filter reply; the legacy migration list moved to `migrations`; the server records itself
      // in the new (empty until it starts) server_settings.
      const after = await snapshotRows(c, { message_history: ['id'], rooms: ['welcome', 'filter_reply', 'listed', 'retention_seconds', 'max_messages'] });
      const { rows: rooms } = await c.query(`SELECT listed, retention_seconds, max_messages FROM rooms`);
      expect(rooms).toEqual(before.rooms.map(() => ({ listed: true, retention_seconds: null, max_messages: null })));
      const { schema_migrations: legacyList, ...legacyTables } = before;
      expect(legacyList).toHaveLength(4);
      for (const [table, rows] of Object.entries(legacyTables)) expect([table, after[table]]).toEqual([table, rows]);
      // New beside the legacy tables: TypeORM's own two, and those of later migrations.
      const added = ['migrations', 'typeorm_metadata', 'server_settings', 'file_chunks', 'room_invites', 'bots', 'bot_rooms', 'room_welcomes', 'webhooks', 'webhook_deliveries', 'filter_replies', 'invite_page_hits'];
      expect(Object.keys(after).sort()).toEqual([...Object.keys(legacyTables), ...added].sort());
      expect(after.server_settings).toEqual([]);
      expect(before.messages.length).toBeGreaterThan(5);
      expect(before.message_history.length).toBe(2);
    } finally {
      c.release();
    }
  });

  it('carries the legacy migration list over and applies only what is new', async () => {
    const rows = await t.database.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(ALL);
    expect(await t.database.query(`SELECT to_regclass('schema_migrations') AS t`)).toEqual([{ t: null }]);
    expect(await new Migrator(t.database.db.dataSource).pending()).toEqual([]);
  });

  it('ends exactly where a new database does', async () => {
    expect(await pendingEntityChanges(t.database.db.dataSource)).toEqual([]);
    const ids = await t.database.query<{ id: number }>('SELECT id FROM message_history ORDER BY id');
    expect(ids.map((r) => r.id)).toEqual([1, 2]);
  });

  it('serves the old rooms, messages, reactions, pins and direct messages to the same clients', async () => {
    const [alice, bob, mod] = [1, 2, 3].map(client);
    const recent = (await signed(t.server, bob, 'GET', '/room/lobby/messages/recent').expect(200)).body as Array<Record<string, any>>;
    const texts = recent.map((m) => parseSessionContent(Buffer.from(m.data, 'base64'))?.body);
    expect(texts).toEqual(['psst bob', 'fixed', 'hi alice', 'hello everyone']);
    expect(recent[3].reactions['👍']).toMatchObject({ index: 0, count: 2 });
    expect(recent[2].reactions['❤️']).toMatchObject({ index: 0, count: 1 });
    expect(recent[0]).toMatchObject({ whisper: true, whisper_to: bob.blindedId, session_id: mod.blindedId });
    const info = (await request(t.server).get('/room/lobby').expect(200)).body;
    expect(info).toMatchObject({ token: 'lobby', name: 'Lobby', description: 'Say hello!', admins: [client(4).blindedId], moderators: [mod.blindedId] });
    expect(info.pinned_messages).toEqual([expect.objectContaining({ id: recent[2].id, pinned_by: client(4).blindedId })]);
    expect(typeof info.image_id).toBe('number');
    const inbox = (await signed(t.server, bob, 'GET', '/inbox').expect(200)).body;
    expect(inbox).toEqual([expect.objectContaining({ sender: alice.blindedId, message: Buffer.from('dm to bob').toString('base64') })]);
    // The banned user stays banned; the timed unban is still scheduled.
    await signed(t.server, client(6), 'GET', '/room/lobby/messages/recent').expect(403);
    const bans = await t.database.query<{ banned: boolean }>('SELECT banned FROM user_ban_futures');
    expect(bans).toEqual([{ banned: false }]);
  });

  it('keeps counting where it left off: sequence, seqno and history triggers work on the old rows', async () => {
    const alice = client(1);
    const [{ message_sequence: seq }] = await t.database.query<{ message_sequence: number }>(
      `SELECT message_sequence FROM rooms WHERE token = 'lobby'`,
    );
    const posted = await signed(t.server, alice, 'POST', '/room/lobby/message', {
      json: { data: Buffer.from('after the upgrade').toString('base64'), signature: Buffer.alloc(64, 1).toString('base64') },
    }).expect(201);
    expect(posted.body.seqno).toBe(seq + 1);
    const old = (await signed(t.server, alice, 'GET', '/room/lobby/messages/recent?limit=5').expect(200)).body.find(
      (m: { session_id: string; edited?: number }) => m.session_id === alice.blindedId && m.edited,
    );
    await signed(t.server, alice, 'PUT', `/room/lobby/message/${old.id}`, {
      json: { data: Buffer.from('edited again').toString('base64'), signature: Buffer.alloc(64, 2).toString('base64') },
    }).expect(200);
    const history = await t.database.query<{ id: number }>('SELECT id FROM message_history WHERE message = $1 ORDER BY id', [old.id]);
    expect(history.map((h) => h.id)).toEqual([expect.any(Number), 3]);
  });
});
