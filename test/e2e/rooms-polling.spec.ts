/**
 * GET /room/{token}/pollInfo/{info_updated} (§1.4, §6.3, §6.4): details only when info_updates
 * differs, what bumps info_updates and what does not (the reference suite's polling scenario),
 * role keys, the read check, active users counted by the cleanup job on the manual clock.
 */
import request from 'supertest';
import { CleanupService } from '../../src/jobs/cleanup.service';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { SessionClient, signed } from '../support/session-client';
import { referenceRoom, ReferenceRoom, referenceRoomInfo } from '../support/reference-room';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

const DEFAULTS = { default_read: true, default_accessible: true, default_write: true, default_upload: true };

describe('pollInfo', () => {
  let t: TestApp;
  let fixture: ReferenceRoom;
  let system: User;
  let moderation: ModerationService;
  let rooms: RoomsService;
  let cleanup: CleanupService;
  let room: Room;
  let user: SessionClient, user2: SessionClient, mod: SessionClient, admin: SessionClient, gmod: SessionClient, gadmin: SessionClient;

  beforeAll(async () => {
    t = await createTestApp();
    fixture = await referenceRoom(t);
    ({ system, moderation, room, user, user2, mod, admin, gmod, gadmin } = fixture);
    rooms = t.app.get(RoomsService);
    cleanup = t.app.get(CleanupService);
  });
  afterAll(() => t.close());

  const get = (c: SessionClient | null, url: string) => signed(t.server, c, 'GET', url);
  const poll = async (c: SessionClient | null, n: number, token = 'test-room') =>
    (await get(c, `/room/${token}/pollInfo/${n}`).expect(200)).body as Json;
  const userId = async (c: SessionClient) =>
    (await t.database.query<{ id: number }>(`SELECT id FROM users WHERE session_id = $1`, [c.blindedId]))[0].id;

  describe('the reference polling scenario', () => {
    let infoUp: number;
    let basic: Json;
    let details: Json;

    it('starts without details when the caller is up to date', async () => {
      infoUp = (await get(user, '/room/test-room').expect(200)).body.info_updates;
      expect(infoUp).toBe(5);
      basic = { token: 'test-room', active_users: 0, read: true, write: true, upload: true };
      details = referenceRoomInfo(fixture);
      expect(await poll(user, infoUp)).toEqual(basic);
      expect(await poll(user, infoUp)).toEqual(basic);
    });

    it('counts the polling user as active once the cleanup job has run', async () => {
      await cleanup.runOnce();
      basic.active_users = details.active_users = 1;
      expect(await poll(user, infoUp)).toEqual(basic);
    });

    it('sends details after a rename (made outside HTTP, as the CLI does)', async () => {
      await rooms.update('test-room', { name: 'Test Room' });
      Object.assign(details, { name: 'Test Room', info_updates: 6 });
      expect(await poll(user, infoUp)).toEqual({ ...basic, details });
      infoUp = 6;
    });

    it('adds moderator, admin and default keys for mods and admins', async () => {
      await cleanup.runOnce();
      expect(await poll(mod, infoUp)).toEqual({ ...basic, moderator: true, ...DEFAULTS });
      await cleanup.runOnce();
      basic.active_users = details.active_users = 2;
      expect(await poll(admin, infoUp)).toEqual({ ...basic, moderator: true, admin: true, ...DEFAULTS });
      await cleanup.runOnce();
      basic.active_users = details.active_users = 3;
      expect(await poll(gmod, infoUp)).toEqual({ ...basic, moderator: true, global_moderator: true, ...DEFAULTS });
      expect(await poll(gadmin, infoUp)).toEqual({ ...basic, moderator: true, admin: true, global_moderator: true, global_admin: true, ...DEFAULTS });
      await cleanup.runOnce();
      basic.active_users = details.active_users = 5;
    });

    it('sends details after a description change, and none once caught up', async () => {
      await rooms.update('test-room', { description: 'Test suite testing room new desc' });
      Object.assign(details, { description: 'Test suite testing room new desc', info_updates: 7 });
      expect(await poll(user, infoUp)).toEqual({ ...basic, details });
      infoUp = 7;
      expect(await poll(user, infoUp)).not.toHaveProperty('details');
    });

    it('sends details after a new room image', async () => {
      const [{ id }] = await t.database.query<{ id: number }>(
        `INSERT INTO files (room, uploader, size, uploaded, expiry, path) VALUES ($1, $2, 100, $3, $4, 'tiny.png') RETURNING id`,
        [room.id, await userId(mod), t.clock.now(), t.clock.now() + 3600],
      );
      await signed(t.server, admin, 'PUT', '/room/test-room', { json: { image: id } }).expect(200, { info_updates: infoUp + 1 });
      Object.assign(details, { image_id: id, info_updates: 8 });
      expect(await poll(user, infoUp)).toEqual({ ...basic, details });
      infoUp = 8;
      expect(await poll(user, infoUp)).not.toHaveProperty('details');
    });

    it('sends details when the caller becomes a moderator, now with the mod keys', async () => {
      await moderation.setModerator(system, user.blindedId, { rooms: [room] }, { moderator: true });
      details.info_updates = 9;
      details.moderators = [mod.blindedId, user.blindedId].sort();
      expect(await poll(user, infoUp)).toEqual({
        ...basic,
        ...DEFAULTS,
        moderator: true,
        details: { ...details, ...DEFAULTS, moderator: true, hidden_admins: [gadmin.blindedId], hidden_moderators: [gmod.blindedId] },
      });
      infoUp = 9;
    });

    it('sends details when the caller stops being one', async () => {
      await moderation.setModerator(system, user.blindedId, { rooms: [room] }, { moderator: false });
      details.info_updates = 10;
      details.moderators = [mod.blindedId];
      expect(await poll(user, infoUp)).toEqual({ ...basic, details });
      infoUp = 10;
    });

    it('sends details when a visible global admin is added and removed', async () => {
      await moderation.setModerator(system, user2.blindedId, { global: true }, { admin: true, visible: true });
      details.info_updates = 11;
      details.admins = [admin.blindedId, user2.blindedId].sort();
      expect(await poll(user, infoUp)).toEqual({ ...basic, details });
      infoUp = 11;
      await moderation.setModerator(system, user2.blindedId, { global: true }, { moderator: false });
      details.info_updates = 12;
      details.admins = [admin.blindedId];
      expect(await poll(user, infoUp)).toEqual({ ...basic, details });
      infoUp = 12;
    });

    it('does not count posts and edits as info updates, only in message_sequence', async () => {
      const [{ id }] = await t.database.query<{ id: number }>(
        `INSERT INTO messages (room, "user", posted, data, data_size, signature) VALUES ($1, $2, $3, $4, 9, $5) RETURNING id`,
        [room.id, await userId(user), t.clock.now(), Buffer.from('fake data'), Buffer.alloc(64, 1)],
      );
      expect(await poll(user, infoUp)).toEqual(basic);
      expect((await get(user, '/room/test-room').expect(200)).body.message_sequence).toBe(1);
      await t.database.query(`UPDATE messages SET data = $2, edited = $3 WHERE id = $1`, [id, Buffer.from('more fake data'), t.clock.now()]);
      expect(await poll(user, infoUp)).toEqual(basic);
      expect((await get(user, '/room/test-room').expect(200)).body).toEqual({ ...details, message_sequence: 2 });
    });

    it('does not count default permission changes either, but they show at once', async () => {
      await signed(t.server, admin, 'PUT', '/room/test-room', { json: { default_write: false } }).expect(200, { info_updates: infoUp });
      expect(await poll(user, infoUp)).toEqual({ ...basic, write: false, upload: false });
      expect(await poll(mod, infoUp)).toEqual({ ...basic, moderator: true, ...DEFAULTS, default_write: false });
      await signed(t.server, admin, 'PUT', '/room/test-room', { json: { default_write: true } }).expect(200);
    });

    it('sends details for any other value, higher ones included', async () => {
      for (const n of [0, infoUp - 1, infoUp + 1, 9_007_199_254_740_991]) {
        expect(await poll(user, n)).toEqual({ ...basic, details: { ...details, message_sequence: 2 } });
      }
    });
  });

  it('gives a brand new room details at pollInfo/0 (info_updates starts at 1)', async () => {
    const fresh = await rooms.create({ token: 'Fresh-Room', name: 'Fresh' });
    const expected = {
      token: 'Fresh-Room',
      active_users: 0,
      read: true,
      write: true,
      upload: true,
      details: {
        token: 'Fresh-Room',
        name: 'Fresh',
        info_updates: 1,
        message_sequence: 0,
        created: fresh.created,
        active_users: 0,
        active_users_cutoff: 604800,
        moderators: [],
        admins: [],
        read: true,
        write: true,
        upload: true,
      },
    };
    expect(await poll(null, 0, 'fresh-room')).toEqual(expected);
    expect(await poll(user, 0, 'FRESH-ROOM')).toEqual(expected);
    expect(await poll(user, 1, 'Fresh-Room')).toEqual({ ...expected, details: undefined });
  });

  it('needs read: accessible-only and read-revoked callers get 403 but still see the room', async () => {
    const hidden = await rooms.create({ token: 'no-read', read: false });
    const res = await request(t.server).get('/room/no-read/pollInfo/0');
    expect(res.status).toBe(403);
    expect(res.text).toBe("This endpoint requires room message 'read' permission");
    expect((await get(user, '/room/no-read/pollInfo/0')).status).toBe(403);
    await get(user, '/room/no-read').expect(200);
    await moderation.setPermissions(system, hidden, user2.blindedId, { read: true });
    expect((await poll(user2, 0, 'no-read')).read).toBe(true);
    await moderation.setPermissions(system, room, user2.blindedId, { read: false });
    expect((await get(user2, '/room/test-room/pollInfo/0')).status).toBe(403);
    await moderation.setPermissions(system, room, user2.blindedId, { read: null });
  });

  it('answers 404 for unknown rooms and for info_updated values that are not non-negative integers', async () => {
    expect((await get(user, '/room/nope/pollInfo/0')).status).toBe(404);
    for (const n of ['abc', '-1', '1.5', '1e3', '99999999999999999999', '9223372036854775808', '%20', '0x10']) {
      const res = await get(user, `/room/test-room/pollInfo/${n}`);
      expect([n, res.status]).toEqual([n, 404]);
    }
  });
});

describe('active users', () => {
  let t: TestApp;
  let cleanup: CleanupService;
  let room: Room;

  beforeAll(async () => {
    t = await createTestApp();
    cleanup = t.app.get(CleanupService);
    room = await t.app.get(RoomsService).create({ token: 'busy' });
    await t.app.get(RoomsService).create({ token: 'quiet' });
  });
  afterAll(() => t.close());

  const activeUsers = async (token: string) => (await request(t.server).get(`/room/${token}`).expect(200)).body.active_users as number;
  const pollAs = (c: SessionClient | null, token = 'busy') => signed(t.server, c, 'GET', `/room/${token}/pollInfo/0`).expect(200);

  it('counts authenticated pollers per room within the active window, after the cleanup job runs', async () => {
    const [a, b, c] = Array.from({ length: 3 }, () => t.newClient());
    await pollAs(a);
    await pollAs(b);
    await pollAs(null); // anonymous pollers are nobody
    expect(await activeUsers('busy')).toBe(0); // cached count, refreshed by the job
    await cleanup.runOnce();
    expect(await activeUsers('busy')).toBe(2);
    expect(await activeUsers('quiet')).toBe(0);
    expect((await pollAs(c)).body.active_users).toBe(2);

    // A week later only c, who polls again, is still active.
    t.clock.advance(7 * 86400 + 10);
    await pollAs(c);
    await cleanup.runOnce();
    expect(await activeUsers('busy')).toBe(1);
    expect((await pollAs(c)).body.details.active_users).toBe(1);

    t.clock.advance(7 * 86400 + 10);
    await cleanup.runOnce();
    expect(await activeUsers('busy')).toBe(0);
  });

  it('does not count a user who is banned from the room', async () => {
    const system = (await t.app.get(UsersRepository).findById(0))!;
    const d = t.newClient();
    await pollAs(d);
    await cleanup.runOnce();
    expect(await activeUsers('busy')).toBe(1);
    await t.app.get(ModerationService).ban(system, d.blindedId, { rooms: [room] }, null);
    await cleanup.runOnce();
    expect(await activeUsers('busy')).toBe(0);
  });
});
