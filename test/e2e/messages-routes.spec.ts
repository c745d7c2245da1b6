/**
 * Message endpoints (§1.5, §7) over HTTP: posting, since/recent/before/single retrieval, whispers,
 * edits and deletions, with exact bodies. Scenarios follow the reference suite's room routes.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

describe('message endpoints', () => {
  let t: TestApp;
  let system: User;
  let moderation: ModerationService;
  let user: SessionClient, user2: SessionClient, mod: SessionClient, admin: SessionClient;
  let gmod: SessionClient, gadmin: SessionClient, banned: SessionClient;
  let rooms = 0;

  const client = () => SessionClient.random(t.serverKey.publicKey);

  beforeAll(async () => {
    t = await createTestApp();
    system = (await t.app.get(UsersRepository).findById(0))!;
    moderation = t.app.get(ModerationService);
    [user, user2, mod, admin, gmod, gadmin, banned] = Array.from({ length: 7 }, client);
    for (const c of [user, user2, mod, admin, gmod, gadmin, banned]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    await moderation.setModerator(system, gmod.blindedId, { global: true }, { moderator: true });
    await moderation.setModerator(system, gadmin.blindedId, { global: true }, { admin: true });
    await moderation.ban(system, banned.blindedId, { global: true }, null);
  });
  afterAll(() => t.close());

  /** A fresh room (its own sequence) with `mod` as moderator and `admin` as admin. */
  async function newRoom(flags: { read?: boolean; write?: boolean } = {}): Promise<Room> {
    const room = await t.app.get(RoomsService).create({ token: `room-${++rooms}`, name: 'Test room', ...flags });
    await moderation.setModerator(system, mod.blindedId, { rooms: [room] }, { moderator: true });
    await moderation.setModerator(system, admin.blindedId, { rooms: [room] }, { admin: true });
    return room;
  }

  const sig = () => randomBytes(64).toString('base64');

  /** Posts and returns the 201 body; time moves 4 s first, staying under 5 posts per 16 s. */
  async function post(c: SessionClient, room: Room, extra: Json = {}): Promise<Json> {
    t.clock.advance(4);
    const json = { data: randomBytes(20).toString('base64'), signature: sig(), ...extra };
    const res = await signed(t.server, c, 'POST', `/room/${room.token}/message`, { json });
    expect(res.status).toBe(201);
    return res.body;
  }

  const get = (c: SessionClient | null, url: string) => signed(t.server, c, 'GET', url);
  const since = async (c: SessionClient | null, room: Room, seqno: number, query = '') =>
    (await get(c, `/room/${room.token}/messages/since/${seqno}${query}`).expect(200)).body as Json[];
  const sequence = async (room: Room) =>
    (await t.database.query<{ message_sequence: number }>(`SELECT message_sequence FROM rooms WHERE id = $1`, [room.id]))[0].message_sequence;
  /** What a message looks like once read back: the POST body with a later seqno and more. */
  const readBack = (m: Json, changes: Json = {}) => ({ ...m, ...changes });
  const tombstone = (m: Json, seqno: number, edited: number) => ({
    id: m.id,
    session_id: m.session_id,
    posted: m.posted,
    seqno,
    data: null,
    deleted: true,
    edited,
  });
  const editedAt = async (id: number) =>
    (await t.database.query<{ edited: number }>(`SELECT edited FROM messages WHERE id = $1`, [id]))[0].edited;

  describe('posting', () => {
    it('answers 201 with the new message, data and signature exactly as sent', async () => {
      const room = await newRoom();
      const data = randomBytes(33);
      const signature = randomBytes(64);
      const before = t.clock.now();
      const res = await signed(t.server, user, 'POST', `/room/${room.token}/message`, {
        json: { data: data.toString('base64'), timestamp: 1700000000000, signature: signature.toString('base64'), files: [] },
      });
      expect(res.status).toBe(201);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.body).toEqual({
        id: expect.any(Number),
        session_id: user.blindedId,
        posted: expect.any(Number),
        seqno: 1,
        data: data.toString('base64'),
        signature: signature.toString('base64'),
        reactions: {},
      });
      expect(res.body.id).toBeGreaterThanOrEqual(1);
      expect(res.body.posted).toBeGreaterThanOrEqual(before);
      expect(res.body.posted).toBeLessThan(before + 5);
      await get(user, `/room/${room.token}/message/${res.body.id}`).expect(200, res.body);
    });

    it.each([
      ['padding 0x80 then zeros', Buffer.concat([Buffer.from('hi'), Buffer.from([0x80]), Buffer.alloc(157)])],
      ['a lone 0x80 trailer', Buffer.from([1, 2, 3, 0x80])],
      ['trailing zeros without 0x80', Buffer.from([1, 2, 0, 0, 0])],
      ['nothing but padding', Buffer.from([0x80, 0, 0])],
      ['0x80 inside and zeros after', Buffer.from([0x80, 5, 0x80, 0x80, 0])],
      ['empty data', Buffer.alloc(0)],
    ])('returns Session-padded data byte-exact: %s', async (_name, data) => {
      const room = await newRoom();
      const m = await post(user, room, { data: data.toString('base64') });
      expect(Buffer.from(m.data, 'base64').equals(data)).toBe(true);
      const [row] = await t.database.query(`SELECT data, data_size FROM messages WHERE id = $1`, [m.id]);
      expect(row).toEqual({ data, data_size: data.length });
      const [read] = await since(null, room, 0);
      expect(read.data).toBe(data.toString('base64'));
      expect((await get(null, `/room/${room.token}/message/${m.id}`).expect(200)).body.data).toBe(data.toString('base64'));
    });

    it('accepts base64 without padding and answers with padding', async () => {
      const room = await newRoom();
      const m = await post(user, room, { data: 'aGVsbG8', signature: randomBytes(64).toString('base64').replace(/=+$/, '') });
      expect(m.data).toBe('aGVsbG8=');
      expect(Buffer.from(m.signature, 'base64')).toHaveLength(64);
    });

    it('needs authentication: anonymous posts get 401', async () => {
      const room = await newRoom();
      const res = await request(t.server).post(`/room/${room.token}/message`).send({ data: 'aGk=', signature: sig() });
      expect(res.status).toBe(401);
      expect(res.text).toBe('X-SOGS-* request authentication required');
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    });

    it('needs write permission (403), checked before the body', async () => {
      const room = await newRoom({ write: false });
      const res = await signed(t.server, user, 'POST', `/room/${room.token}/message`, { json: { data: 'aGk=' } });
      expect(res.status).toBe(403);
      expect(res.text).toBe("This endpoint requires room message 'write' permission");
      // Moderators always may.
      await post(mod, room);
    });

    it('answers 404 for an unknown room', async () => {
      const res = await signed(t.server, user, 'POST', `/room/no-such-room/message`, { json: { data: 'aGk=', signature: sig() } });
      expect(res.status).toBe(404);
    });

    it('counts every post into message_sequence and hands out increasing ids', async () => {
      const room = await newRoom();
      expect(await sequence(room)).toBe(0);
      const a = await post(user, room);
      const b = await post(user2, room);
      expect([a.seqno, b.seqno]).toEqual([1, 2]);
      expect(b.id).toBeGreaterThan(a.id);
      expect(await sequence(room)).toBe(2);
      await signed(t.server, user, 'PUT', `/room/${room.token}/message/${a.id}`, { json: { data: 'ZWRpdA==', signature: sig() } }).expect(200, {});
      expect(await sequence(room)).toBe(3);
      const c = await post(user, room);
      expect(c.seqno).toBe(4);
    });
  });

  describe('since', () => {
    it('pages through messages in seqno order with limits', async () => {
      const room = await newRoom();
      const posted: Json[] = [];
      for (let i = 0; i < 10; i++) posted.push(await post(i % 2 ? user : user2, room));
      const pages: Json[][] = [];
      let from = 0;
      for (;;) {
        const page = await since(user, room, from, '?limit=4');
        pages.push(page);
        if (page.length < 4) break;
        from = page[page.length - 1].seqno;
      }
      expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
      expect(pages.flat()).toEqual(posted);
      expect(await since(user, room, 10)).toEqual([]);
      expect(await since(user, room, 7)).toEqual(posted.slice(7));
      expect(await since(user, room, 0, '?limit=1')).toEqual(posted.slice(0, 1));
      // Out-of-range limits are clamped, not rejected.
      expect(await since(user, room, 0, '?limit=0')).toEqual(posted.slice(0, 1));
      expect(await since(user, room, 0, '?limit=-7')).toEqual(posted.slice(0, 1));
      expect(await since(user, room, 0, '?limit=100000')).toEqual(posted);
    });

    it('returns at most 256 messages (limit clamp) and 100 by default', async () => {
      const room = await newRoom();
      const [{ id: author }] = await t.database.query(`SELECT id FROM users WHERE session_id = $1`, [user.blindedId]);
      await t.database.query(
        `INSERT INTO messages (room, "user", posted, data, data_size, signature)
         SELECT $1, $2, 1000 + n, '\\x01'::bytea, 1, $3 FROM generate_series(1, 300) n`,
        [room.id, author, randomBytes(64)],
      );
      expect(await since(user, room, 0)).toHaveLength(100);
      const max = await since(user, room, 0, '?limit=1000');
      expect(max).toHaveLength(256);
      expect(max.map((m) => m.seqno)).toEqual(Array.from({ length: 256 }, (_, i) => i + 1));
      expect(await since(user, room, 0, '?limit=256')).toHaveLength(256);
    });

    it('sends edits again with the new data, edited time and seqno', async () => {
      const room = await newRoom();
      const a = await post(user, room);
      const b = await post(user, room);
      t.clock.advance(1);
      const data = randomBytes(10).toString('base64');
      const signature = sig();
      await signed(t.server, user, 'PUT', `/room/${room.token}/message/${a.id}`, { json: { data, signature } }).expect(200, {});
      const edited = await editedAt(a.id);
      expect(Math.abs(edited - t.clock.now())).toBeLessThan(5);
      const changed = readBack(a, { data, signature, seqno: 3, edited });
      expect(await since(user, room, 0)).toEqual([b, changed]);
      expect(await since(user, room, 2)).toEqual([changed]);
      await get(user, `/room/${room.token}/message/${a.id}`).expect(200, changed);
    });

    it('sends tombstones only for deleted messages the caller could have seen', async () => {
      const room = await newRoom();
      const [m1, m2, m3, m4] = [await post(user, room), await post(user, room), await post(user, room), await post(user, room)];
      // A client that has seen up to m2 (seqno 2).
      await signed(t.server, user, 'DELETE', `/room/${room.token}/message/${m1.id}`).expect(200, {});
      await signed(t.server, user, 'DELETE', `/room/${room.token}/message/${m3.id}`).expect(200, {});
      const gone1 = tombstone(m1, 5, await editedAt(m1.id));
      const gone3 = tombstone(m3, 6, await editedAt(m3.id));
      expect(await since(user, room, 2)).toEqual([m4, gone1]);
      // Who saw m3 (seqno ≥ 3) gets its tombstone too; a client from scratch gets no tombstones.
      expect(await since(user, room, 4)).toEqual([gone1, gone3]);
      expect(await since(user, room, 3)).toEqual([m4, gone1, gone3]);
      expect(await since(user, room, 0)).toEqual([m2, m4]);
      expect(await since(user, room, 6)).toEqual([]);
    });

    it('needs read permission (403) and works anonymously on public rooms', async () => {
      const room = await newRoom({ read: false });
      const res = await get(user, `/room/${room.token}/messages/since/0`);
      expect(res.status).toBe(403);
      expect(res.text).toBe("This endpoint requires room message 'read' permission");
      expect((await get(null, `/room/${room.token}/messages/since/0`)).status).toBe(403);
      const m = await post(mod, room);
      expect(await since(mod, room, 0)).toEqual([m]);
      const open = await newRoom();
      const n = await post(user, open);
      expect(await since(null, open, 0)).toEqual([n]);
    });

    it('records room activity for signed readers', async () => {
      const room = await newRoom();
      const reader = client();
      await get(reader, `/room/${room.token}/messages/since/0`).expect(200);
      const rows = await t.database.query(
        `SELECT 1 FROM room_users ru JOIN users u ON u.id = ru."user" WHERE ru.room = $1 AND u.session_id = $2`,
        [room.id, reader.blindedId],
      );
      expect(rows).toHaveLength(1);
    });
  });

  describe('recent, before and single messages', () => {
    it('pages backwards by id, skipping deleted messages', async () => {
      const room = await newRoom();
      const m: Json[] = [];
      for (let i = 0; i < 8; i++) m.push(await post(user, room));
      await signed(t.server, user, 'DELETE', `/room/${room.token}/message/${m[5].id}`).expect(200);
      const recent = async (q = '') => (await get(user, `/room/${room.token}/messages/recent${q}`).expect(200)).body;
      const before = async (id: number, q = '') => (await get(user, `/room/${room.token}/messages/before/${id}${q}`).expect(200)).body;
      expect(await recent()).toEqual([m[7], m[6], m[4], m[3], m[2], m[1], m[0]]);
      expect(await recent('?limit=3')).toEqual([m[7], m[6], m[4]]);
      expect(await before(m[4].id, '?limit=3')).toEqual([m[3], m[2], m[1]]);
      expect(await before(m[1].id, '?limit=3')).toEqual([m[0]]);
      expect(await before(m[0].id)).toEqual([]);
      expect(await before(m[7].id + 1000)).toEqual(await recent());
      expect(await recent('?limit=0')).toEqual([m[7]]);
      expect(await before(m[7].id, '?limit=999')).toEqual([m[6], m[4], m[3], m[2], m[1], m[0]]);
    });

    it('fetches one live message of the room, else 404', async () => {
      const room = await newRoom();
      const other = await newRoom();
      const m = await post(user, room);
      const elsewhere = await post(user, other);
      await get(null, `/room/${room.token}/message/${m.id}`).expect(200, m);
      await get(user2, `/room/${room.token}/message/${m.id}`).expect(200, m);
      expect((await get(user, `/room/${room.token}/message/${elsewhere.id}`)).status).toBe(404);
      expect((await get(user, `/room/${room.token}/message/${elsewhere.id + 1000}`)).status).toBe(404);
      await signed(t.server, user, 'DELETE', `/room/${room.token}/message/${m.id}`).expect(200);
      expect((await get(user, `/room/${room.token}/message/${m.id}`)).status).toBe(404);
    });

    it('never returns a filtered message', async () => {
      const room = await newRoom();
      const m = await post(user, room);
      await t.database.query(`UPDATE messages SET filtered = true WHERE id = $1`, [m.id]);
      expect((await get(user, `/room/${room.token}/message/${m.id}`)).status).toBe(404);
      expect((await get(mod, `/room/${room.token}/message/${m.id}`)).status).toBe(404);
      expect(await since(gadmin, room, 0)).toEqual([]);
      expect((await get(user, `/room/${room.token}/messages/recent`).expect(200)).body).toEqual([]);
    });
  });

  describe('whispers', () => {
    let room: Room;
    let toUser: Json, toMods: Json, toBoth: Json, plain: Json, fromGmod: Json;

    beforeAll(async () => {
      room = await newRoom();
      plain = await post(user2, room);
      toUser = await post(mod, room, { whisper_to: user.blindedId });
      toMods = await post(mod, room, { whisper_mods: true });
      toBoth = await post(mod, room, { whisper_to: user.blindedId, whisper_mods: true });
      fromGmod = await post(gmod, room, { whisper_to: user2.blindedId.toUpperCase() });
    });

    it('carry the whisper flags in the POST answer', () => {
      const base = { id: expect.any(Number), session_id: mod.blindedId, posted: expect.any(Number), data: expect.any(String), signature: expect.any(String), reactions: {} };
      expect(toUser).toEqual({ ...base, seqno: 2, whisper: true, whisper_mods: false, whisper_to: user.blindedId });
      expect(toMods).toEqual({ ...base, seqno: 3, whisper: true, whisper_mods: true });
      expect(toBoth).toEqual({ ...base, seqno: 4, whisper: true, whisper_mods: true, whisper_to: user.blindedId });
      expect(fromGmod).toMatchObject({ session_id: gmod.blindedId, whisper: true, whisper_mods: false, whisper_to: user2.blindedId });
      expect(plain).not.toHaveProperty('whisper');
    });

    it.each([
      ['anonymous', () => null, () => [plain]],
      ['the target user', () => user, () => [plain, toUser, toBoth]],
      ['another user', () => user2, () => [plain, fromGmod]],
      ['the sending moderator', () => mod, () => [plain, toUser, toMods, toBoth]],
      ['the room admin', () => admin, () => [plain, toMods, toBoth]],
      ['a global moderator', () => gmod, () => [plain, toMods, toBoth, fromGmod]],
      ['a global admin', () => gadmin, () => [plain, toMods, toBoth]],
    ])('are visible to %s exactly as the rules say', async (_who, who, visible) => {
      const c = who();
      const expected = visible();
      expect(await since(c, room, 0)).toEqual(expected);
      expect((await get(c, `/room/${room.token}/messages/recent`).expect(200)).body).toEqual([...expected].reverse());
      expect((await get(c, `/room/${room.token}/messages/before/${fromGmod.id + 1}`).expect(200)).body).toEqual([...expected].reverse());
      for (const m of [plain, toUser, toMods, toBoth, fromGmod]) {
        const res = await get(c, `/room/${room.token}/message/${m.id}`);
        if (expected.includes(m)) expect(res.body).toEqual(m);
        else expect(res.status).toBe(404);
      }
    });

    it('are for moderators only (403)', async () => {
      for (const extra of [{ whisper_to: user2.blindedId }, { whisper_mods: true }, { whisper_to: mod.blindedId, whisper_mods: true }]) {
        const res = await signed(t.server, user, 'POST', `/room/${room.token}/message`, { json: { data: 'aGk=', signature: sig(), ...extra } });
        expect(res.status).toBe(403);
      }
      // whisper_mods false and whisper_to null are ordinary posts.
      const m = await post(user, room, { whisper_mods: false, whisper_to: null });
      expect(m).not.toHaveProperty('whisper');
    });

    it('need a valid session id as whisper_to (400)', async () => {
      for (const to of ['nope', '05abc', `00${'a'.repeat(64)}`, `15${'g'.repeat(64)}`, 5, true, {}]) {
        const res = await signed(t.server, mod, 'POST', `/room/${room.token}/message`, { json: { data: 'aGk=', signature: sig(), whisper_to: to } });
        expect(res.status).toBe(400);
      }
    });

    it('to an unknown id create that user', async () => {
      const stranger = client();
      const m = await post(mod, room, { whisper_to: stranger.blindedId });
      expect(m.whisper_to).toBe(stranger.blindedId);
      expect((await since(stranger, room, m.seqno - 1)).map((x) => x.id)).toEqual([m.id]);
    });

    it('keep their flags when edited, and their tombstones keep them too', async () => {
      const w = await post(mod, room, { whisper_to: user.blindedId });
      const data = randomBytes(5).toString('base64');
      await signed(t.server, mod, 'PUT', `/room/${room.token}/message/${w.id}`, { json: { data, signature: w.signature, whisper_mods: true } }).expect(200);
      const edited = (await get(user, `/room/${room.token}/message/${w.id}`).expect(200)).body;
      expect(edited).toMatchObject({ whisper: true, whisper_mods: false, whisper_to: user.blindedId, data });
      await signed(t.server, mod, 'DELETE', `/room/${room.token}/message/${w.id}`).expect(200);
      const [gone] = await since(user, room, w.seqno);
      expect(gone).toEqual({ ...tombstone(w, gone.seqno, await editedAt(w.id)), whisper: true, whisper_mods: false, whisper_to: user.blindedId });
      expect((await since(user2, room, w.seqno)).map((x) => x.id)).not.toContain(w.id);
    });
  });

  describe('edits', () => {
    it('replace data and signature for the author only, and keep the old version in history', async () => {
      const room = await newRoom();
      const m = await post(user, room);
      const data = randomBytes(12).toString('base64');
      const signature = sig();
      for (const other of [user2, mod, admin, gadmin]) {
        const res = await signed(t.server, other, 'PUT', `/room/${room.token}/message/${m.id}`, { json: { data, signature } });
        expect(res.status).toBe(403);
      }
      await signed(t.server, user, 'PUT', `/room/${room.token}/message/${m.id}`, { json: { data, signature } }).expect(200, {});
      const history = await t.database.query(`SELECT data, signature FROM message_history WHERE message = $1`, [m.id]);
      expect(history).toEqual([{ data: Buffer.from(m.data, 'base64'), signature: Buffer.from(m.signature, 'base64') }]);
      expect((await get(user, `/room/${room.token}/message/${m.id}`)).body).toEqual({ ...m, data, signature, seqno: 2, edited: await editedAt(m.id) });
    });

    it('answer 404 for missing, deleted or other-room messages', async () => {
      const room = await newRoom();
      const other = await newRoom();
      const m = await post(user, room);
      const elsewhere = await post(user, other);
      const edit = (id: number | string) =>
        signed(t.server, user, 'PUT', `/room/${room.token}/message/${id}`, { json: { data: 'aGk=', signature: sig() } });
      expect((await edit(elsewhere.id)).status).toBe(404);
      expect((await edit(m.id + 1000)).status).toBe(404);
      expect((await edit('99999999999999999999')).status).toBe(404);
      expect((await edit('abc')).status).toBe(404);
      await signed(t.server, user, 'DELETE', `/room/${room.token}/message/${m.id}`).expect(200);
      expect((await edit(m.id)).status).toBe(404);
    });

    it('need write permission and a valid body', async () => {
      const room = await newRoom();
      const m = await post(user, room);
      await moderation.setPermissions(system, room, user.blindedId, { write: false });
      const denied = await signed(t.server, user, 'PUT', `/room/${room.token}/message/${m.id}`, { json: { data: 'aGk=', signature: sig() } });
      expect(denied.status).toBe(403);
      await moderation.setPermissions(system, room, user.blindedId, { write: null });
      const bad = await signed(t.server, user, 'PUT', `/room/${room.token}/message/${m.id}`, { json: { data: 'aGk=', signature: 'c2hvcnQ=' } });
      expect(bad.status).toBe(400);
      expect((await get(user, `/room/${room.token}/message/${m.id}`)).body).toEqual(m);
    });

    it('are not rate limited', async () => {
      const room = await newRoom();
      const m = await post(user, room);
      for (let i = 0; i < 8; i++) {
        await signed(t.server, user, 'PUT', `/room/${room.token}/message/${m.id}`, { json: { data: `aGk${i}`, signature: sig() } }).expect(200);
      }
    });
  });

  describe('deletions', () => {
    it('turn the author own message into a tombstone', async () => {
      const room = await newRoom();
      const m = await post(user, room);
      t.clock.advance(2);
      await signed(t.server, user, 'DELETE', `/room/${room.token}/message/${m.id}`).expect(200, {});
      const [gone] = await since(user2, room, 1);
      const edited = await editedAt(m.id);
      expect(Math.abs(edited - t.clock.now())).toBeLessThan(5);
      expect(gone).toEqual(tombstone(m, 2, edited));
      const [row] = await t.database.query(`SELECT data, data_size, signature FROM messages WHERE id = $1`, [m.id]);
      expect(row).toEqual({ data: null, data_size: null, signature: null });
    });

    it('let moderators and admins delete anyone, others only their own', async () => {
      const room = await newRoom();
      const deleteAs = (c: SessionClient, id: number) => signed(t.server, c, 'DELETE', `/room/${room.token}/message/${id}`);
      const own = await post(user, room);
      const res = await deleteAs(user2, own.id);
      expect(res.status).toBe(403);
      for (const staff of [mod, admin, gmod, gadmin]) {
        const m = await post(user, room);
        await deleteAs(staff, m.id).expect(200, {});
      }
      const byMod = await post(mod, room);
      expect((await deleteAs(user, byMod.id)).status).toBe(403);
      await deleteAs(user, own.id).expect(200, {});
    });

    it('answer 404 for missing or already deleted messages, and for other rooms', async () => {
      const room = await newRoom();
      const other = await newRoom();
      const m = await post(user, room);
      const elsewhere = await post(user, other);
      const del = (id: number | string) => signed(t.server, mod, 'DELETE', `/room/${room.token}/message/${id}`);
      expect((await del(elsewhere.id)).status).toBe(404);
      expect((await del(m.id + 1000)).status).toBe(404);
      expect((await del('18446744073709551616')).status).toBe(404);
      expect((await del('-1')).status).toBe(404);
      await del(m.id).expect(200);
      expect((await del(m.id)).status).toBe(404);
      const before = await sequence(room);
      expect((await del(m.id)).status).toBe(404);
      expect(await sequence(room)).toBe(before);
    });

    it('need write permission first: banned users get 403 even for missing ids', async () => {
      const room = await newRoom();
      const victim = client();
      const m = await post(victim, room);
      await moderation.ban(system, victim.blindedId, { rooms: [room] }, null);
      for (const id of [m.id, m.id + 1000]) {
        const res = await signed(t.server, victim, 'DELETE', `/room/${room.token}/message/${id}`);
        expect(res.status).toBe(403);
        expect(res.text).toBe("This endpoint requires room message 'write' permission");
      }
      const global = await signed(t.server, banned, 'DELETE', `/room/${room.token}/message/${m.id}`);
      expect(global.status).toBe(403);
      expect(global.text).toBe('Banned');
      expect((await get(user, `/room/${room.token}/message/${m.id}`)).body).toEqual(m);
    });

    it('need authentication (401)', async () => {
      const room = await newRoom();
      const m = await post(user, room);
      const res = await request(t.server).delete(`/room/${room.token}/message/${m.id}`);
      expect(res.status).toBe(401);
      expect(res.text).toBe('X-SOGS-* request authentication required');
    });

    it('unpin the message and expire its attachments', async () => {
      const room = await newRoom();
      const m = await post(user, room);
      const [{ id: adminId }] = await t.database.query(`SELECT id FROM users WHERE session_id = $1`, [admin.blindedId]);
      await t.database.query(`INSERT INTO pinned_messages (room, message, pinned_by, pinned_at) VALUES ($1, $2, $3, 1)`, [room.id, m.id, adminId]);
      const [file] = await t.database.query(
        `INSERT INTO files (room, message, size, uploaded, expiry, path) VALUES ($1, $2, 1, 1, NULL, 'x') RETURNING id`,
        [room.id, m.id],
      );
      await signed(t.server, user, 'DELETE', `/room/${room.token}/message/${m.id}`).expect(200);
      expect(await t.database.query(`SELECT 1 FROM pinned_messages WHERE message = $1`, [m.id])).toEqual([]);
      expect(await t.database.query(`SELECT expiry FROM files WHERE id = $1`, [file.id])).toEqual([{ expiry: 0 }]);
    });
  });
});
