/**
 * PUT /room/{token} (§1.4): who may, what changes info_updates, control-character stripping, body
 * validation (400), room images (406 for unknown or foreign files; expiry of old and new image).
 * Scenarios follow the reference suite's room updates.
 */
import request from 'supertest';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { SessionClient, signed } from '../support/session-client';
import { referenceRoom, ReferenceRoom, referenceRoomInfo } from '../support/reference-room';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

describe('room updates', () => {
  let t: TestApp;
  let fixture: ReferenceRoom;
  let system: User;
  let room: Room;
  let user: SessionClient, user2: SessionClient, mod: SessionClient, admin: SessionClient, gmod: SessionClient, gadmin: SessionClient;
  const url = '/room/test-room';

  beforeAll(async () => {
    t = await createTestApp();
    fixture = await referenceRoom(t);
    ({ system, room, user, user2, mod, admin, gmod, gadmin } = fixture);
  });
  afterAll(() => t.close());

  const get = async (c: SessionClient) => (await signed(t.server, c, 'GET', url).expect(200)).body as Json;
  const put = (c: SessionClient | null, json: unknown) => signed(t.server, c, 'PUT', url, { json });

  let expectRoom: Json;
  let expectMod: Json;

  it('starts as the reference room', async () => {
    expectRoom = referenceRoomInfo(fixture);
    expect(await get(user)).toEqual(expectRoom);
  });

  it('refuses everyone but room and global admins: 403, or 401 without a signature', async () => {
    for (const c of [user, user2, mod, gmod]) {
      const res = await put(c, { name: 'OMG ROOM!' });
      expect(res.status).toBe(403);
      expect(res.text).toBe('This endpoint requires admin room permissions');
    }
    const anon = await request(t.server).put(url).send({ name: 'OMG ROOM!' });
    expect(anon.status).toBe(401);
    expect(anon.text).toBe('X-SOGS-* request authentication required');
    expect(await get(user)).toEqual(expectRoom);
  });

  it('renames (room admin): info_updates + 1, returned in the response', async () => {
    await put(admin, { name: 'OMG ROOM!' }).expect(200, { info_updates: 6 });
    expectRoom.name = 'OMG ROOM!';
    expectRoom.info_updates = 6;
    expect(await get(user)).toEqual(expectRoom);
  });

  it('changes name and description together (global admin): + 2', async () => {
    await put(gadmin, { name: 'rrr', description: 'Tharr be pirrrates!' }).expect(200, { info_updates: 8 });
    Object.assign(expectRoom, { name: 'rrr', description: 'Tharr be pirrrates!', info_updates: 8 });
    expect(await get(user)).toEqual(expectRoom);
  });

  it('changes default permissions without counting them as info updates', async () => {
    await put(admin, { default_write: false }).expect(200, { info_updates: 8 });
    Object.assign(expectRoom, { write: false, upload: false }); // upload needs write too
    expect(await get(user)).toEqual(expectRoom);
    expectMod = {
      read: true,
      write: true,
      upload: true,
      default_read: true,
      default_accessible: true,
      default_write: false,
      default_upload: true,
      moderator: true,
      moderators: [mod.blindedId],
      admins: [admin.blindedId],
      hidden_moderators: [gmod.blindedId],
      hidden_admins: [gadmin.blindedId],
    };
    expect(await get(mod)).toEqual({ ...expectRoom, ...expectMod });

    await put(admin, { default_upload: false, default_read: true }).expect(200, { info_updates: 8 });
    expectMod.default_upload = false;
    expect(await get(user)).toEqual(expectRoom);
    expect(await get(mod)).toEqual({ ...expectRoom, ...expectMod });

    await put(admin, { default_read: false }).expect(200);
    expectRoom.read = false;
    expectMod.default_read = false;
    expect(await get(user)).toEqual(expectRoom);
    expect(await get(mod)).toEqual({ ...expectRoom, ...expectMod });
  });

  it('accepts integers for default permissions (0 is false, anything else true)', async () => {
    await put(admin, { default_accessible: 0 }).expect(200);
    expect((await get(mod)).default_accessible).toBe(false);
    await put(admin, { default_accessible: 7 }).expect(200);
    expect((await get(mod)).default_accessible).toBe(true);
  });

  it('changes defaults, name and description in one call: + 2', async () => {
    const description = 'Room for learning to speak Australian\n\nThrow a shrimpie on the barbie and crack a coldie from the bottle-o!';
    await put(admin, { default_read: true, default_write: true, default_upload: true, name: 'Gudaye, mytes!', description }).expect(200, {
      info_updates: 10,
    });
    Object.assign(expectRoom, { read: true, write: true, upload: true, name: 'Gudaye, mytes!', description, info_updates: 10 });
    Object.assign(expectMod, { default_read: true, default_write: true, default_upload: true });
    expect(await get(user)).toEqual(expectRoom);
    expect(await get(mod)).toEqual({ ...expectRoom, ...expectMod });
  });

  it('removes the description with null or an empty string (the key disappears)', async () => {
    await put(admin, { description: null }).expect(200, { info_updates: 11 });
    delete expectRoom.description;
    expectRoom.info_updates = 11;
    expect(await get(user)).toEqual(expectRoom);
    expect(await get(mod)).toEqual({ ...expectRoom, ...expectMod });

    await put(admin, { description: 'ddd' }).expect(200, { info_updates: 12 });
    expect(await get(user)).toEqual({ ...expectRoom, description: 'ddd', info_updates: 12 });

    await put(admin, { description: '' }).expect(200, { info_updates: 13 });
    expectRoom.info_updates = 13;
    expect(await get(user)).toEqual(expectRoom);
  });

  it('strips every control character from names, and all but tab and newline from descriptions', async () => {
    const controls = Array.from({ length: 33 }, (_, c) => String.fromCharCode(c)).join('');
    await put(admin, { description: `a${controls}z`, name: `a${controls}z` }).expect(200, { info_updates: 15 });
    Object.assign(expectRoom, { description: 'a\t\n z', name: 'a z', info_updates: 15 });
    expect(await get(user)).toEqual(expectRoom);
    expect(await get(mod)).toEqual({ ...expectRoom, ...expectMod });
  });

  it('answers 400 for bad values and for nothing to update, changing nothing', async () => {
    const bad: unknown[] = [
      {},
      { name: 42 },
      { name: null },
      { description: 42 },
      { default_read: 'foo' },
      { default_write: 'bar' },
      { default_upload: null },
      { default_accessible: 1.5 },
      { default_read: [] },
      { description: { text: 'x' } },
      { image: 'x' },
      { image: null },
      { image: 1.5 },
      { image: true },
      { unknown: 'key' },
      // A name of control characters only would be empty: clients cannot join a nameless room.
      { name: '\n\t\u0001' },
      { name: '' },
      // A valid change does not excuse an invalid one.
      { name: 'fine', default_read: 'foo' },
    ];
    for (const json of bad) {
      const res = await put(admin, json);
      expect([JSON.stringify(json), res.status]).toEqual([JSON.stringify(json), 400]);
    }
    expect(await get(user)).toEqual(expectRoom);
    expect(await get(mod)).toEqual({ ...expectRoom, ...expectMod });
  });

  it('answers 400 for bodies that are not JSON objects', async () => {
    for (const body of ['[]', '"x"', '1', 'null', '{', '']) {
      const res = await signed(t.server, admin, 'PUT', url, { body: Buffer.from(body), contentType: 'application/json' });
      expect([body, res.status]).toEqual([body, 400]);
    }
    expect(await get(user)).toEqual(expectRoom);
  });

  it('answers 404 for unknown rooms before checking the body', async () => {
    expect((await signed(t.server, gadmin, 'PUT', '/room/nope', { json: { name: 'x' } })).status).toBe(404);
    expect((await signed(t.server, gadmin, 'PUT', `/room/${'a'.repeat(65)}`, { json: { name: 'x' } })).status).toBe(404);
  });

  it('keeps emoji intact', async () => {
    const name = '💰 🐈 🍌 🌋 ‽';
    const description = '💾 🚌 🗑 📱 🆗 😴 👖 💲 🍹 📉 🍩 🛎 🚣 ⚫️ 🐕 🕒 🏕 🎩 🆕 🍭 💋 🐌 📡 🚫';
    await put(admin, { description, name }).expect(200, { info_updates: 17 });
    Object.assign(expectRoom, { name, description, info_updates: 17 });
    expect(await get(user)).toEqual(expectRoom);
    expect(await get(mod)).toEqual({ ...expectRoom, ...expectMod });
  });

  it('counts only real changes: the same name again adds nothing', async () => {
    await put(admin, { name: expectRoom.name }).expect(200, { info_updates: 17 });
  });

  describe('room image', () => {
    let other: Room;
    const insertFile = async (roomId: number | null, uploaded: number) =>
      (
        await t.database.query<{ id: number }>(
          `INSERT INTO files (room, uploader, size, uploaded, expiry, path) VALUES ($1, NULL, 4, $2, $3, 'x') RETURNING id`,
          [roomId, uploaded, uploaded + 3600],
        )
      )[0].id;
    const expiry = async (id: number) => (await t.database.query<{ expiry: number | null }>(`SELECT expiry FROM files WHERE id = $1`, [id]))[0].expiry;

    beforeAll(async () => {
      other = await t.app.get(RoomsService).create({ token: 'other-room' });
    });

    it('answers 406 for an unknown file, a file of another room or of none, and ids beyond any file', async () => {
      const foreign = await insertFile(other.id, t.clock.now());
      const orphan = await insertFile(null, t.clock.now());
      for (const image of [foreign, orphan, foreign + orphan + 1000, -1, 2 ** 53, 1e20]) {
        const res = await put(admin, { image });
        expect([image, res.status]).toEqual([image, 406]);
      }
      expect(await expiry(foreign)).not.toBeNull();
      expect(await get(user)).toEqual(expectRoom);
    });

    it('sets a file of the room: + 1, image_id shown, the file never expires; replacing it expires the old one', async () => {
      const now = t.clock.now();
      const first = await insertFile(room.id, now);
      await put(admin, { image: first }).expect(200, { info_updates: 18 });
      Object.assign(expectRoom, { image_id: first, info_updates: 18 });
      expect(await get(user)).toEqual(expectRoom);
      expect(await expiry(first)).toBeNull();

      const second = await insertFile(room.id, now);
      await put(gadmin, { image: second, name: 'With image' }).expect(200, { info_updates: 20 });
      Object.assign(expectRoom, { image_id: second, name: 'With image', info_updates: 20 });
      expect(await get(user)).toEqual(expectRoom);
      expect(await expiry(second)).toBeNull();
      expect(await expiry(first)).toBe(0);
    });

    it('checks types before files: a bad flag with an unknown image is a 400', async () => {
      expect((await put(admin, { image: 99999, default_read: 'x' })).status).toBe(400);
    });
  });
});
