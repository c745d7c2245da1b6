import request from 'supertest';
import { ModerationService } from '../../src/moderation/moderation.service';
import { UsersRepository } from '../../src/users/users.repository';
import { CleanupService } from '../../src/jobs/cleanup.service';
import { RoomsService } from '../../src/rooms/rooms.service';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('blinded direct messages', () => {
  let t: TestApp;
  let alice: SessionClient;
  let bob: SessionClient;
  beforeAll(async () => {
    t = await createTestApp();
    alice = t.newClient();
    bob = t.newClient();
    for (const c of [alice, bob]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
  });
  afterAll(() => t.close());

  const send = (from: SessionClient, to: string, json: unknown) => signed(t.server, from, 'POST', `/inbox/${to}`, { json });

  it('starts with an empty inbox and outbox', async () => {
    await signed(t.server, alice, 'GET', '/inbox').expect(200, []);
    await signed(t.server, alice, 'GET', '/outbox').expect(200, []);
    const since = await signed(t.server, alice, 'GET', '/inbox/since/0');
    expect(since.status).toBe(304);
    expect(since.text).toBe('');
  });

  it('delivers a message: 201 without the body, then in the inbox and the outbox', async () => {
    const res = await send(alice, bob.blindedId, { message: b64('hello bob') }).expect(201);
    const now = t.clock.now();
    expect(res.body).toEqual({
      id: expect.any(Number),
      posted_at: expect.any(Number),
      expires_at: expect.any(Number),
      sender: alice.blindedId,
      recipient: bob.blindedId,
    });
    expect(Math.abs(res.body.posted_at - now)).toBeLessThan(5);
    expect(res.body.expires_at - res.body.posted_at).toBeCloseTo(15 * 86400, 3);
    const expected = { ...res.body, message: b64('hello bob') };
    await signed(t.server, bob, 'GET', '/inbox').expect(200, [expected]);
    await signed(t.server, alice, 'GET', '/outbox').expect(200, [expected]);
    await signed(t.server, bob, 'GET', `/inbox/since/${res.body.id - 1}`).expect(200, [expected]);
    expect((await signed(t.server, bob, 'GET', `/inbox/since/${res.body.id}`)).status).toBe(304);
    await signed(t.server, alice, 'GET', '/inbox').expect(200, []);
  });

  it('pages with limit, oldest first', async () => {
    for (const n of [1, 2, 3]) await send(bob, alice.blindedId, { message: b64(`m${n}`) }).expect(201);
    const page = await signed(t.server, alice, 'GET', '/inbox?limit=2').expect(200);
    expect(page.body.map((m: { message: string }) => Buffer.from(m.message, 'base64').toString())).toEqual(['m1', 'm2']);
    const rest = await signed(t.server, alice, 'GET', `/inbox/since/${page.body[1].id}`).expect(200);
    expect(rest.body.map((m: { message: string }) => Buffer.from(m.message, 'base64').toString())).toEqual(['m3']);
  });

  it('deletes the whole inbox, which also empties the sender outbox', async () => {
    await signed(t.server, alice, 'DELETE', '/inbox').expect(200, { deleted: 3 });
    await signed(t.server, alice, 'DELETE', '/inbox').expect(200, { deleted: 0 });
    const outbox = await signed(t.server, bob, 'GET', '/outbox').expect(200);
    expect(outbox.body).toEqual([]);
  });

  it.each([
    ['no message', {}],
    ['a number', { message: 5 }],
    ['invalid base64', { message: 'not base64!' }],
    ['url-safe base64', { message: '-_-_' }],
  ])('rejects %s with 400', async (_n, json) => {
    expect((await send(alice, bob.blindedId, json)).status).toBe(400);
  });

  it('rejects bodies that are not JSON objects with 400', async () => {
    for (const body of ['[]', '"x"', 'null', '{']) {
      const res = await signed(t.server, alice, 'POST', `/inbox/${bob.blindedId}`, { body: Buffer.from(body), contentType: 'application/json' });
      expect(res.status).toBe(400);
    }
  });

  it('answers 404 for unknown, unblinded or malformed recipients', async () => {
    const stranger = t.newClient();
    for (const to of [stranger.blindedId, stranger.sessionId, 'nobody', '15' + 'zz'.repeat(32)]) {
      expect((await send(alice, to, { message: b64('x') })).status).toBe(404);
    }
  });

  it('needs a signed request to send and a blinded one to read', async () => {
    const anon = await request(t.server).post(`/inbox/${bob.blindedId}`).send({ message: b64('x') });
    expect(anon.status).toBe(401);
    expect(anon.text).toBe('X-SOGS-* request authentication required');
    for (const path of ['/inbox', '/outbox', '/inbox/since/0', '/outbox/since/0']) {
      const res = await request(t.server).get(path);
      expect(res.status).toBe(401);
      expect(res.text).toBe('X-SOGS-* request authentication required');
    }
    expect((await request(t.server).delete('/inbox')).status).toBe(401);
  });

  it('refuses globally banned recipients (404) and senders (403 Banned)', async () => {
    const system = (await t.app.get(UsersRepository).findById(0))!;
    const carol = t.newClient();
    await signed(t.server, carol, 'GET', '/capabilities').expect(200);
    await t.app.get(ModerationService).ban(system, carol.blindedId, { global: true }, null);
    expect((await send(alice, carol.blindedId, { message: b64('x') })).status).toBe(404);
    const res = await send(carol, alice.blindedId, { message: b64('x') });
    expect(res.status).toBe(403);
    expect(res.text).toBe('Banned');
    expect((await signed(t.server, carol, 'GET', '/inbox')).status).toBe(403);
  });

  it('removes messages once they expire', async () => {
    await signed(t.server, bob, 'DELETE', '/inbox').expect(200);
    await send(alice, bob.blindedId, { message: b64('soon gone') }).expect(201);
    const cleanup = t.app.get(CleanupService);
    t.clock.advance(15 * 86400 - 60);
    await cleanup.runOnce();
    expect((await signed(t.server, bob, 'GET', '/inbox').expect(200)).body).toHaveLength(1);
    t.clock.advance(120);
    await cleanup.runOnce();
    await signed(t.server, bob, 'GET', '/inbox').expect(200, []);
    t.clock.advance(-(15 * 86400 + 60));
  });
});

describe('direct messages on a server that allows unblinded ids', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_REQUIRE_BLIND_KEYS: 'no' } });
  });
  afterAll(() => t.close());

  it('lets an unblinded user send but not read', async () => {
    const alice = t.newClient();
    const bob = t.newClient();
    await signed(t.server, bob, 'GET', '/capabilities').expect(200);
    const sent = await signed(t.server, alice, 'POST', `/inbox/${bob.blindedId}`, { json: { message: b64('hi') }, unblinded: true });
    expect(sent.status).toBe(201);
    expect(sent.body.sender).toBe(alice.sessionId);
    for (const path of ['/inbox', '/outbox', '/inbox/since/0']) {
      const res = await signed(t.server, alice, 'GET', path, { unblinded: true });
      expect(res.status).toBe(401);
      expect(res.text).toBe('This endpoint requires blinded pubkeys be used');
    }
  });
});

describe('protection against DM spam', () => {
  async function setup(env: Record<string, string>) {
    const t = await createTestApp({ env });
    const [alice, mallory] = [t.newClient(), t.newClient()];
    for (const c of [alice, mallory]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    const system = (await t.app.get(UsersRepository).findById(0))!;
    const rooms = t.app.get(RoomsService);
    const [r1, r2] = [await rooms.create({ token: 'one' }), await rooms.create({ token: 'two' })];
    const id = async (c: SessionClient) => (await t.app.get(UsersRepository).findBySessionId(c.blindedId))!.id;
    for (const r of [r1, r2]) {
      for (const c of [alice, mallory]) {
        await t.database.query(`INSERT INTO room_users (room, "user", last_active) VALUES ($1, $2, $3)`, [r.id, await id(c), t.clock.now()]);
      }
    }
    const dm = (from: SessionClient, to: SessionClient) => signed(t.server, from, 'POST', `/inbox/${to.blindedId}`, { json: { message: b64('hi') } });
    const ban = (room: typeof r1) => t.app.get(ModerationService).ban(system, mallory.blindedId, { rooms: [room] }, null);
    return { t, alice, mallory, r1, r2, dm, ban, rooms, system };
  }

  it('by default keeps the reference behaviour: room bans do not stop DMs', async () => {
    const s = await setup({});
    try {
      await s.ban(s.r1);
      await s.ban(s.r2);
      expect((await s.dm(s.mallory, s.alice)).status).toBe(201);
    } finally {
      await s.t.close();
    }
  });

  it('server-wide: refuses a sender banned in every room shared with the recipient', async () => {
    const s = await setup({ SOGS_DM_REFUSE_BANNED: 'yes' });
    try {
      await s.ban(s.r1);
      expect((await s.dm(s.mallory, s.alice)).status).toBe(201); // still welcome in room two
      await s.ban(s.r2);
      const res = await s.dm(s.mallory, s.alice);
      expect(res.status).toBe(403);
      expect(res.text).toBe('Direct messages are not accepted from users banned in the rooms they share with the recipient');
      expect((await s.dm(s.alice, s.mallory)).status).toBe(201); // the recipient may still write to them
    } finally {
      await s.t.close();
    }
  });

  it('per room: the switch of a room where the sender is banned applies without the server setting', async () => {
    const s = await setup({});
    try {
      await s.ban(s.r1);
      await s.ban(s.r2);
      await s.rooms.update('two', { dmRefuseBanned: true });
      expect((await s.dm(s.mallory, s.alice)).status).toBe(403);
      await s.rooms.update('two', { dmRefuseBanned: false });
      expect((await s.dm(s.mallory, s.alice)).status).toBe(201);
    } finally {
      await s.t.close();
    }
  });

  it('minimum account age', async () => {
    const s = await setup({ SOGS_DM_MIN_ACCOUNT_AGE_HOURS: '1' });
    try {
      const res = await s.dm(s.mallory, s.alice);
      expect(res.status).toBe(403);
      expect(res.text).toBe('Direct messages are not accepted from users this new to the server; try again later');
      s.t.clock.advance(3601);
      expect((await s.dm(s.mallory, s.alice)).status).toBe(201);
    } finally {
      await s.t.close();
    }
  });

  it('daily limit per sender; moderators exempt', async () => {
    const s = await setup({ SOGS_DM_DAILY_LIMIT: '2' });
    try {
      expect((await s.dm(s.mallory, s.alice)).status).toBe(201);
      expect((await s.dm(s.mallory, s.alice)).status).toBe(201);
      const res = await s.dm(s.mallory, s.alice);
      expect(res.status).toBe(403);
      expect(res.text).toBe('Daily direct message limit reached; try again later');
      s.t.clock.advance(86401);
      expect((await s.dm(s.mallory, s.alice)).status).toBe(201);
      await s.t.app.get(ModerationService).setModerator(s.system, s.alice.blindedId, { global: true }, { moderator: true });
      for (let i = 0; i < 3; i++) expect((await s.dm(s.alice, s.mallory)).status).toBe(201);
    } finally {
      await s.t.close();
    }
  });
});
