import { randomBytes } from 'node:crypto';
import { Room } from '../../src/rooms/room.entity';
import { RoomsRepository } from '../../src/rooms/rooms.repository';
import { MessagesRepository } from '../../src/messages/messages.repository';
import { RoomsService } from '../../src/rooms/rooms.service';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';
import { testPostgresUrl } from '../support/test-env';

type Json = Record<string, any>;

/**
 * What makes a poll cheap (issue #13) without changing a reply: the batch's subrequests share
 * one lookup of the room and the caller's permissions in it until one of them writes, a poll
 * that is up to date asks nothing about messages, and authentication is one statement.
 */
describe('the poll hot path', () => {
  let t: TestApp;
  let room: Room;
  let alice: SessionClient;

  beforeAll(async () => {
    t = await createTestApp();
    room = await t.app.get(RoomsService).create({ token: 'hot', name: 'Hot' });
    alice = t.newClient();
    await signed(t.server, alice, 'GET', '/capabilities').expect(200);
  });
  afterAll(() => t.close());

  const post = (client: SessionClient) =>
    signed(t.server, client, 'POST', `/room/${room.token}/message`, {
      json: { data: randomBytes(60).toString('base64'), signature: randomBytes(64).toString('base64') },
    }).expect(201);

  const seqno = async () => (await signed(t.server, alice, 'GET', `/room/${room.token}`).expect(200)).body.message_sequence as number;

  async function batch(client: SessionClient, subrequests: Json[]): Promise<Json[]> {
    const res = await signed(t.server, client, 'POST', '/batch', { json: subrequests });
    expect(res.status).toBe(200);
    return res.body as Json[];
  }

  it('looks the room up once for pollInfo and messages/since in one batch', async () => {
    const lookups = jest.spyOn(t.app.get(RoomsRepository), 'findWithOverride');
    try {
      const latest = await seqno();
      lookups.mockClear();
      const [info, messages] = await batch(alice, [
        { method: 'GET', path: `/room/${room.token}/pollInfo/0` },
        { method: 'GET', path: `/room/${room.token}/messages/since/${latest}?t=r&reactors=5` },
        { method: 'GET', path: `/room/HOT/pollInfo/0` },
      ]);
      expect(info).toMatchObject({ code: 200, body: { token: 'hot', read: true, write: true } });
      expect(messages).toMatchObject({ code: 200, body: [] });
      expect(lookups).toHaveBeenCalledTimes(1);
    } finally {
      lookups.mockRestore();
    }
  });

  it('looks again after a write in the same batch, so a batch that posts then polls sees its post', async () => {
    const lookups = jest.spyOn(t.app.get(RoomsRepository), 'findWithOverride');
    try {
      const before = await seqno();
      lookups.mockClear();
      const body = { data: randomBytes(60).toString('base64'), signature: randomBytes(64).toString('base64') };
      const [since1, posted, since2] = await batch(alice, [
        { method: 'GET', path: `/room/${room.token}/messages/since/${before}` },
        { method: 'POST', path: `/room/${room.token}/message`, json: body },
        { method: 'GET', path: `/room/${room.token}/messages/since/${before}` },
      ]);
      expect(since1).toMatchObject({ code: 200, body: [] });
      expect(posted.code).toBe(201);
      expect(since2.code).toBe(200);
      expect(since2.body.map((m: Json) => m.id)).toEqual([posted.body.id]);
      expect(since2.body[0].seqno).toBe(before + 1);
      expect(lookups).toHaveBeenCalledTimes(2);
    } finally {
      lookups.mockRestore();
    }
  });

  it('answers since/{latest} without asking for messages, and since/{older} with them', async () => {
    await post(alice);
    const latest = await seqno();
    const since = jest.spyOn(t.app.get(MessagesRepository), 'since');
    try {
      await signed(t.server, alice, 'GET', `/room/${room.token}/messages/since/${latest}`).expect(200, []);
      await signed(t.server, alice, 'GET', `/room/${room.token}/messages/since/${latest + 5}`).expect(200, []);
      expect(since).not.toHaveBeenCalled();
      const older = await signed(t.server, alice, 'GET', `/room/${room.token}/messages/since/${latest - 1}`).expect(200);
      expect(older.body).toHaveLength(1);
      expect(older.body[0].seqno).toBe(latest);
      expect(since).toHaveBeenCalledTimes(1);
    } finally {
      since.mockRestore();
    }
  });

  it('sees a reaction (which moves the room seqno) on the next since/{latest} poll', async () => {
    const bob = t.newClient();
    const [message] = (await signed(t.server, alice, 'GET', `/room/${room.token}/messages/recent?limit=1`).expect(200)).body;
    const latest = await seqno();
    await signed(t.server, bob, 'PUT', `/room/${room.token}/reaction/${message.id}/${encodeURIComponent('👍')}`).expect(200);
    const res = await signed(t.server, alice, 'GET', `/room/${room.token}/messages/since/${latest}?t=r&reactors=5`).expect(200);
    expect(res.body).toEqual([{ id: message.id, seqno: latest + 1, reactions: { '👍': { index: 0, count: 1, reactors: [bob.blindedId] } } }]);
  });

  it('refuses a reused nonce (425) and a banned signer (403, before the nonce is judged) with one statement', async () => {
    const carol = t.newClient();
    const nonce = randomBytes(16);
    await signed(t.server, carol, 'GET', '/capabilities', { nonce }).expect(200);
    // A known user's signed request: one statement (user and nonce together), nothing else.
    const db = t.database.db;
    const statements = [jest.spyOn(db, 'query'), jest.spyOn(db, 'execute'), jest.spyOn(db, 'transaction')];
    try {
      await signed(t.server, carol, 'GET', '/capabilities').expect(200);
      expect(statements.map((s) => s.mock.calls.length)).toEqual([1, 0, 0]);
    } finally {
      for (const s of statements) s.mockRestore();
    }
    await signed(t.server, carol, 'GET', '/capabilities', { nonce }).expect(425);
    await t.database.query(`UPDATE users SET banned = true WHERE session_id = $1`, [carol.blindedId]);
    const fresh = randomBytes(16);
    await signed(t.server, carol, 'GET', '/capabilities', { nonce: fresh }).expect(403);
    expect(await t.database.query(`SELECT 1 FROM user_request_nonces WHERE nonce = $1`, [fresh])).toEqual([]);
    await t.database.query(`UPDATE users SET banned = false WHERE session_id = $1`, [carol.blindedId]);
    await signed(t.server, carol, 'GET', '/capabilities', { nonce: fresh }).expect(200);
  });
});

describe('named statements', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('are used on PostgreSQL and survive a change of the table under them; never on the embedded database', async () => {
    const db = t.database.db;
    await db.query(`CREATE TABLE shape_test (a int)`);
    await db.query(`INSERT INTO shape_test VALUES (1)`);
    expect(await db.query(`SELECT * FROM shape_test`)).toEqual([{ a: 1 }]);
    await db.query(`ALTER TABLE shape_test ADD COLUMN b int DEFAULT 2`);
    // Every pooled connection that prepared the old shape must recover, not just the first.
    for (let i = 0; i < 12; i++) expect(await db.query(`SELECT * FROM shape_test`)).toEqual([{ a: 1, b: 2 }]);
    const seen = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'sogs%'`);
    if (testPostgresUrl()) expect(seen[0].n).toBeGreaterThan(0);
    else expect(seen[0].n).toBe(0);
  });
});
