/**
 * Pinning (§1.5, §7.7): room admins only (anonymous callers get 403, not 401), regular messages of
 * the room only, re-pins move to the end, response shapes, info_updates, and the expiry of the
 * pinned messages' files. Messages are inserted in SQL (the triggers stamp them as for a post).
 */
import request from 'supertest';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

const DAY = 86400;

/** The app, a room with a mod and an admin, and ways to make messages and files in SQL. */
async function pinFixture(env?: Record<string, string>) {
  const t = await createTestApp({ env });
  const system = (await t.app.get(UsersRepository).findById(0))!;
  const moderation = t.app.get(ModerationService);
  const rooms = t.app.get(RoomsService);
  const room = await rooms.create({ token: 'test-room', name: 'Test room' });
  const [user, mod, admin, gadmin] = Array.from({ length: 4 }, () => t.newClient());
  await moderation.setModerator(system, mod.blindedId, { rooms: [room] }, { moderator: true });
  await moderation.setModerator(system, admin.blindedId, { rooms: [room] }, { admin: true });
  await moderation.setModerator(system, gadmin.blindedId, { global: true }, { admin: true });
  await signed(t.server, user, 'GET', '/capabilities').expect(200);
  const userId = async (c: SessionClient) =>
    (await t.database.query<{ id: number }>(`SELECT id FROM users WHERE session_id = $1`, [c.blindedId]))[0].id;
  const post = async (r: Room, extra: { filtered?: boolean; whisper?: number; whisper_mods?: boolean } = {}) =>
    (
      await t.database.query<{ id: number }>(
        `INSERT INTO messages (room, "user", posted, data, data_size, signature, filtered, whisper, whisper_mods)
         VALUES ($1, $2, $3, $4, 4, $5, $6, $7, $8) RETURNING id`,
        [r.id, await userId(user), t.clock.now(), Buffer.from('data'), Buffer.alloc(64, 7), extra.filtered ?? false, extra.whisper ?? null, extra.whisper_mods ?? false],
      )
    )[0].id;
  const attach = async (r: Room, message: number, uploaded: number) =>
    (
      await t.database.query<{ id: number }>(
        `INSERT INTO files (room, uploader, message, size, uploaded, expiry, path) VALUES ($1, $2, $3, 10, $4, $5, 'f') RETURNING id`,
        [r.id, await userId(user), message, uploaded, uploaded + 15 * DAY],
      )
    )[0].id;
  const expiry = async (file: number) => (await t.database.query<{ expiry: number | null }>(`SELECT expiry FROM files WHERE id = $1`, [file]))[0].expiry;
  return { t, system, moderation, rooms, room, user, mod, admin, gadmin, userId, post, attach, expiry };
}

describe('pinning', () => {
  let f: Awaited<ReturnType<typeof pinFixture>>;
  let t: TestApp;
  let ids: number[];

  beforeAll(async () => {
    f = await pinFixture();
    t = f.t;
    ids = [];
    for (let i = 0; i < 10; i++) ids.push(await f.post(f.room));
  });
  afterAll(() => t.close());

  const call = (c: SessionClient | null, path: string, json: unknown = {}) => signed(t.server, c, 'POST', `/room/test-room/${path}`, { json });
  const info = async () => (await signed(t.server, f.user, 'GET', '/room/test-room').expect(200)).body as Json;
  const pinned = async () => ((await info()).pinned_messages ?? []) as Json[];

  describe('the reference pinning scenario', () => {
    let base: number;
    const stamps: number[] = [];

    it('refuses users, moderators and anonymous callers with 403', async () => {
      base = (await info()).info_updates;
      for (const c of [f.user, f.mod, null]) {
        for (const path of [`pin/${ids[2]}`, `unpin/${ids[2]}`, 'unpin/all']) {
          const res = await call(c, path);
          expect([path, res.status, res.text]).toEqual([path, 403, 'This endpoint requires admin room permissions']);
        }
      }
      expect((await info()).info_updates).toBe(base);
      expect(await pinned()).toEqual([]);
    });

    it('pins for the room admin: + 1, listed with who pinned it and when', async () => {
      const before = t.clock.now();
      await call(f.admin, `pin/${ids[2]}`).expect(200, { info_updates: base + 1 });
      const list = await pinned();
      expect(list).toEqual([{ id: ids[2], pinned_at: expect.any(Number), pinned_by: f.admin.blindedId }]);
      expect(list[0].pinned_at).toBeGreaterThanOrEqual(before);
      expect(list[0].pinned_at).toBeLessThanOrEqual(t.clock.now());
      stamps.push(list[0].pinned_at);
      expect((await info()).info_updates).toBe(base + 1);
    });

    it('lists pins in pinning order', async () => {
      t.clock.advance(1);
      await call(f.admin, `pin/${ids[6]}`).expect(200, { info_updates: base + 2 });
      t.clock.advance(1);
      await call(f.admin, `pin/${ids[4]}`).expect(200, { info_updates: base + 3 });
      const list = await pinned();
      expect(list.map((p) => [p.id, p.pinned_by])).toEqual([ids[2], ids[6], ids[4]].map((id) => [id, f.admin.blindedId]));
      expect(list[0].pinned_at).toBe(stamps[0]);
      expect(list[0].pinned_at).toBeLessThan(list[1].pinned_at);
      expect(list[1].pinned_at).toBeLessThan(list[2].pinned_at);
    });

    it('moves a re-pinned message to the end, with the new pinner', async () => {
      t.clock.advance(1);
      await call(f.gadmin, `pin/${ids[6]}`).expect(200, { info_updates: base + 4 });
      const list = await pinned();
      expect(list.map((p) => [p.id, p.pinned_by])).toEqual([
        [ids[2], f.admin.blindedId],
        [ids[4], f.admin.blindedId],
        [ids[6], f.gadmin.blindedId],
      ]);
      expect(list[1].pinned_at).toBeLessThan(list[2].pinned_at);
    });

    it('unpins one message, and says so; unpinning it again is no error', async () => {
      await call(f.admin, `unpin/${ids[4]}`).expect(200, { unpinned: true, info_updates: base + 5 });
      expect((await pinned()).map((p) => p.id)).toEqual([ids[2], ids[6]]);
      await call(f.admin, `unpin/${ids[4]}`).expect(200, { unpinned: false, info_updates: base + 5 });
      await call(f.admin, `unpin/${ids[9] + 1000}`).expect(200, { unpinned: false, info_updates: base + 5 });
    });

    it('unpins everything, counting the pins (each one an info update)', async () => {
      await call(f.admin, 'unpin/all').expect(200, { unpinned: 2, info_updates: base + 7 });
      expect(await info()).not.toHaveProperty('pinned_messages');
      await call(f.admin, 'unpin/all').expect(200, { unpinned: 0, info_updates: base + 7 });
    });
  });

  it('pins only regular messages of this room: 404 otherwise', async () => {
    const other = await f.rooms.create({ token: 'other-room' });
    const deleted = await f.post(f.room);
    await t.database.query(`UPDATE messages SET data = NULL, edited = $2 WHERE id = $1`, [deleted, t.clock.now()]);
    const whisperTo = await f.post(f.room, { whisper: await f.userId(f.mod) });
    const cases: Array<[string, number]> = [
      ['deleted', deleted],
      ['filtered', await f.post(f.room, { filtered: true })],
      ['whisper', whisperTo],
      ['whisper to mods', await f.post(f.room, { whisper_mods: true })],
      ['of another room', await f.post(other)],
      ['missing', deleted + 1000],
    ];
    const before = (await info()).info_updates;
    for (const [what, id] of cases) {
      const res = await call(f.admin, `pin/${id}`);
      expect([what, res.status]).toEqual([what, 404]);
    }
    for (const id of ['abc', '-1', '1.5', '99999999999999999999', '9223372036854775807']) {
      expect([id, (await call(f.admin, `pin/${id}`)).status]).toEqual([id, 404]);
      expect([id, (await call(f.admin, `unpin/${id}`)).status]).toEqual([id, 404]);
    }
    // Nothing changed; a regular message of the room still pins.
    expect((await info()).info_updates).toBe(before);
    await call(f.admin, `pin/${ids[0]}`).expect(200, { info_updates: before + 1 });
    await call(f.admin, 'unpin/all').expect(200, { unpinned: 1, info_updates: before + 2 });
    expect((await info()).info_updates).toBe(before + 2);
  });

  it('answers 404 for unknown rooms and 403 for admins of other rooms', async () => {
    expect((await signed(t.server, f.admin, 'POST', '/room/nope/pin/1', { json: {} })).status).toBe(404);
    const other = await f.rooms.create({ token: 'elsewhere' });
    const otherAdmin = t.newClient();
    await f.moderation.setModerator(f.system, otherAdmin.blindedId, { rooms: [other] }, { admin: true });
    expect((await call(otherAdmin, `pin/${ids[0]}`)).status).toBe(403);
  });

  it('ignores the request body, whatever it is, and the case of the token', async () => {
    for (const body of [Buffer.from('not json'), Buffer.from('[1,2]'), Buffer.alloc(0)]) {
      const res = await signed(t.server, f.admin, 'POST', `/room/TEST-ROOM/pin/${ids[1]}`, { body, contentType: 'application/json' });
      expect(res.status).toBe(200);
    }
    const res = await request(t.server).post(`/room/test-room/unpin/all`).set('content-type', 'text/plain').send('whatever');
    expect(res.status).toBe(403);
    await call(f.admin, 'unpin/all').expect(200);
  });

  it('shows pins in pollInfo details at once, and drops a pinned message once it is deleted', async () => {
    const poll = async (n: number) => (await signed(t.server, f.user, 'GET', `/room/test-room/pollInfo/${n}`).expect(200)).body as Json;
    const start = (await info()).info_updates;
    const { info_updates: n } = (await call(f.admin, `pin/${ids[8]}`).expect(200)).body;
    expect(n).toBe(start + 1);
    expect((await poll(start)).details.pinned_messages.map((p: Json) => p.id)).toEqual([ids[8]]);
    expect(await poll(n)).not.toHaveProperty('details');
    await t.database.query(`UPDATE messages SET data = NULL, edited = $2 WHERE id = $1`, [ids[8], t.clock.now()]);
    const after = await poll(n);
    expect(after.details.info_updates).toBe(n + 1);
    expect(after.details).not.toHaveProperty('pinned_messages');
    expect((await call(f.admin, `pin/${ids[8]}`)).status).toBe(404);
  });

  it('makes attachments permanent while pinned, then expiring again counted from their upload', async () => {
    const message = await f.post(f.room);
    const uploaded = t.clock.now() - 3 * DAY;
    const [a, b] = [await f.attach(f.room, message, uploaded), await f.attach(f.room, message, uploaded + 10)];
    const elsewhere = await f.attach(f.room, ids[0], uploaded);
    // The room image attached to the same message stays permanent when it is unpinned.
    await signed(t.server, f.admin, 'PUT', '/room/test-room', { json: { image: b } }).expect(200);
    await call(f.admin, `pin/${message}`).expect(200);
    expect([await f.expiry(a), await f.expiry(b), await f.expiry(elsewhere)]).toEqual([null, null, uploaded + 15 * DAY]);
    t.clock.advance(DAY);
    await call(f.admin, `unpin/${message}`).expect(200);
    expect([await f.expiry(a), await f.expiry(b)]).toEqual([uploaded + 15 * DAY, null]);

    await call(f.admin, `pin/${message}`).expect(200);
    expect(await f.expiry(a)).toBeNull();
    await call(f.admin, 'unpin/all').expect(200);
    expect([await f.expiry(a), await f.expiry(b)]).toEqual([uploaded + 15 * DAY, null]);
  });
});

describe('pinning with attachments that never expire', () => {
  let f: Awaited<ReturnType<typeof pinFixture>>;
  beforeAll(async () => {
    f = await pinFixture({ SOGS_UPLOAD_EXPIRY_DAYS: '0' });
  });
  afterAll(() => f.t.close());

  it('leaves them without expiry after unpinning', async () => {
    const message = await f.post(f.room);
    const file = await f.attach(f.room, message, f.t.clock.now());
    await f.t.database.query(`UPDATE files SET expiry = NULL WHERE id = $1`, [file]);
    await signed(f.t.server, f.admin, 'POST', `/room/test-room/pin/${message}`, { json: {} }).expect(200);
    await signed(f.t.server, f.admin, 'POST', `/room/test-room/unpin/${message}`, { json: {} }).expect(200, {
      unpinned: true,
      info_updates: 6,
    });
    expect(await f.expiry(file)).toBeNull();
  });
});
