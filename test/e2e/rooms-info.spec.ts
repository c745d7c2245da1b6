/**
 * GET /rooms and GET /room/{token} (§1.4, §6.1) per role, with exact bodies: the reference suite's
 * room list (secret rooms, per-user overrides) and visible/hidden global moderators, plus room
 * mods seeing their secret rooms (§8.6 fixed), bans, tokens and malformed paths.
 */
import request from 'supertest';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { SessionClient, signed } from '../support/session-client';
import { referenceRoom, ReferenceRoom, referenceRoomInfo } from '../support/reference-room';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

const CUTOFF = 7 * 86400;
const ALL_DEFAULTS = { default_read: true, default_accessible: true, default_write: true, default_upload: true };

describe('room list and room info per role', () => {
  let t: TestApp;
  let fixture: ReferenceRoom;
  let system: User;
  let moderation: ModerationService;
  let room: Room, room2: Room, room3: Room, room4: Room;
  let user: SessionClient, user2: SessionClient, mod: SessionClient, admin: SessionClient, gmod: SessionClient, gadmin: SessionClient;

  beforeAll(async () => {
    t = await createTestApp();
    fixture = await referenceRoom(t, [
      { token: 'room2', name: 'Room 2', description: 'Test suite testing room2', write: false, upload: false },
      { token: 'room3', name: 'Room 3', description: 'Test suite testing room3', read: false, write: false, upload: false },
      { token: 'room4', name: 'Room 4', description: 'Secret room', read: false, accessible: false, write: false, upload: false },
    ]);
    ({ system, moderation, room, user, user2, mod, admin, gmod, gadmin } = fixture);
    [room2, room3, room4] = fixture.others;
    await moderation.setPermissions(system, room3, user2.blindedId, { read: true });
    await moderation.setPermissions(system, room2, user2.blindedId, { write: true });
    await moderation.setPermissions(system, room4, user2.blindedId, { accessible: true });
  });
  afterAll(() => t.close());

  const get = (c: SessionClient | null, url: string) => signed(t.server, c, 'GET', url);

  // Every room starts at info_updates 1; each global appointment bumps every room, each room
  // appointment its room.
  const r1 = () => referenceRoomInfo(fixture);
  const r2 = () => ({ ...r1(), token: 'room2', name: 'Room 2', description: 'Test suite testing room2', info_updates: 3, created: room2.created, moderators: [], admins: [], write: false, upload: false });
  const r3 = () => ({ ...r2(), token: 'room3', name: 'Room 3', description: 'Test suite testing room3', created: room3.created, read: false });
  const r4 = () => ({ ...r3(), token: 'room4', name: 'Room 4', description: 'Secret room', created: room4.created });
  const defs2 = { default_read: true, default_accessible: true, default_write: false, default_upload: false };
  const defs3 = { ...defs2, default_read: false };
  const defs4 = { ...defs3, default_accessible: false };
  const asMod = () => ({ moderator: true, read: true, write: true, upload: true, hidden_moderators: [gmod.blindedId], hidden_admins: [gadmin.blindedId] });
  const asAdmin = () => ({ ...asMod(), admin: true });
  const asGmod = () => ({ ...asMod(), global_moderator: true });
  const asGadmin = () => ({ ...asAdmin(), global_moderator: true, global_admin: true });

  it('lists for anonymous callers and plain users the rooms readable or accessible by default, sorted', async () => {
    const anon = await request(t.server).get('/rooms').expect(200);
    expect(anon.headers['content-type']).toMatch(/^application\/json/);
    expect(anon.body).toEqual([r2(), r3(), r1()]);
    await get(user, '/rooms').expect(200, [r2(), r3(), r1()]);
  });

  it('applies per-user overrides: write, read and accessible (the secret room)', async () => {
    await get(user2, '/rooms').expect(200, [{ ...r2(), write: true }, { ...r3(), read: true }, r4(), r1()]);
  });

  it('shows room mods and admins the defaults and hidden staff of their room only', async () => {
    await get(mod, '/rooms').expect(200, [r2(), r3(), { ...r1(), ...ALL_DEFAULTS, ...asMod() }]);
    await get(admin, '/rooms').expect(200, [r2(), r3(), { ...r1(), ...ALL_DEFAULTS, ...asAdmin() }]);
  });

  it('shows global mods and admins every room, with everything allowed', async () => {
    await get(gmod, '/rooms').expect(200, [
      { ...r2(), ...defs2, ...asGmod() },
      { ...r3(), ...defs3, ...asGmod() },
      { ...r4(), ...defs4, ...asGmod() },
      { ...r1(), ...ALL_DEFAULTS, ...asGmod() },
    ]);
    await get(gadmin, '/rooms').expect(200, [
      { ...r2(), ...defs2, ...asGadmin() },
      { ...r3(), ...defs3, ...asGadmin() },
      { ...r4(), ...defs4, ...asGadmin() },
      { ...r1(), ...ALL_DEFAULTS, ...asGadmin() },
    ]);
  });

  it('answers room info per role, and 404 (plain text) where the room is not accessible', async () => {
    await get(user, '/room/room3').expect(200, r3());
    await get(user2, '/room/room3').expect(200, { ...r3(), read: true });
    await get(gadmin, '/room/room3').expect(200, { ...r3(), ...defs3, ...asGadmin() });
    for (const c of [null, user, mod]) {
      const res = await get(c, '/room/room4');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.text).toBe('no such room: room4');
    }
    await get(user2, '/room/room4').expect(200, r4());
    await get(gadmin, '/room/room4').expect(200, { ...r4(), ...defs4, ...asGadmin() });
  });

  it('never lists the system user, though it is a hidden global admin', async () => {
    const info = (await get(gadmin, '/room/test-room').expect(200)).body as Json;
    expect(system.admin && !system.visible_mod).toBe(true);
    expect(info.hidden_admins).toEqual([gadmin.blindedId]);
    expect(JSON.stringify(info)).not.toContain(system.session_id);
  });

  it('looks tokens up ignoring case and answers with the stored spelling', async () => {
    await get(user, '/room/TEST-ROOM').expect(200, r1());
    await get(user, '/room/Room3').expect(200, r3());
  });

  it('answers 404 for malformed, overlong and unknown tokens', async () => {
    for (const token of ['nope', 'a'.repeat(65), 'bad%20token', 'x%00y', '%F0%9F%98%80', '..']) {
      expect((await get(user, `/room/${token}`)).status).toBe(404);
    }
  });

  describe('a room moderator of a secret room (§8.6, fixed)', () => {
    let secretMod: SessionClient;
    beforeAll(async () => {
      secretMod = t.newClient();
      await moderation.setModerator(system, secretMod.blindedId, { rooms: [room4] }, { moderator: true });
    });
    afterAll(async () => {
      await moderation.setModerator(system, secretMod.blindedId, { rooms: [room4] }, { moderator: false });
    });

    it('sees the room in the list and can open it', async () => {
      const expected = {
        ...r4(),
        ...defs4,
        ...asMod(),
        info_updates: 4,
        moderators: [secretMod.blindedId],
      };
      await get(secretMod, '/rooms').expect(200, [r2(), r3(), expected, r1()]);
      await get(secretMod, '/room/room4').expect(200, expected);
    });
  });

  describe('room bans', () => {
    let banned: SessionClient;
    beforeAll(async () => {
      banned = t.newClient();
      await moderation.ban(system, banned.blindedId, { rooms: [room] }, null);
    });

    it('hide the room: not listed, 404 for its info, 403 for pollInfo; other rooms unaffected', async () => {
      await get(banned, '/rooms').expect(200, [r2(), r3()]);
      const res = await get(banned, '/room/test-room');
      expect(res.status).toBe(404);
      expect(res.text).toBe('no such room: test-room');
      const poll = await get(banned, '/room/test-room/pollInfo/0');
      expect(poll.status).toBe(403);
      expect(poll.text).toBe("This endpoint requires room message 'read' permission");
      await get(banned, '/room/room2').expect(200, r2());
    });

    it('and a global ban refuses every signed request with 403 Banned', async () => {
      const outlaw = t.newClient();
      await moderation.ban(system, outlaw.blindedId, { global: true }, null);
      for (const url of ['/rooms', '/room/test-room', '/room/test-room/pollInfo/0']) {
        const res = await get(outlaw, url);
        expect(res.status).toBe(403);
        expect(res.text).toBe('Banned');
      }
    });
  });
});

describe('room list order and staff visibility', () => {
  let t: TestApp;
  let system: User;
  let moderation: ModerationService;
  let rooms: RoomsService;

  beforeAll(async () => {
    t = await createTestApp();
    system = (await t.app.get(UsersRepository).findById(0))!;
    moderation = t.app.get(ModerationService);
    rooms = t.app.get(RoomsService);
  });
  afterAll(() => t.close());

  const get = (c: SessionClient | null, url: string) => signed(t.server, c, 'GET', url);

  it('sorts tokens ignoring case, in code point order', async () => {
    for (const token of ['Test_Room-3', 'test-room', 'room2']) await rooms.create({ token });
    const list = (await request(t.server).get('/rooms').expect(200)).body as Json[];
    expect(list.map((r) => r.token)).toEqual(['room2', 'test-room', 'Test_Room-3']);
    expect(list.map((r) => r.name)).toEqual(['room2', 'test-room', 'Test_Room-3']);
  });

  it('shows global mods once they are made visible (reference: visible global mods)', async () => {
    const room = await rooms.create({ token: 'visible-mods', name: 'Test room', description: 'Test suite testing room' });
    const [user, mod, gmod, gadmin] = Array.from({ length: 4 }, () => t.newClient());
    await moderation.setModerator(system, mod.blindedId, { rooms: [room] }, { moderator: true });
    await moderation.setModerator(system, gmod.blindedId, { global: true }, { moderator: true });
    await moderation.setModerator(system, gadmin.blindedId, { global: true }, { admin: true });
    const expectRoom: Json = {
      token: 'visible-mods',
      name: 'Test room',
      description: 'Test suite testing room',
      info_updates: 4,
      message_sequence: 0,
      created: room.created,
      active_users: 0,
      active_users_cutoff: CUTOFF,
      moderators: [mod.blindedId],
      admins: [],
      read: true,
      write: true,
      upload: true,
    };
    await get(user, '/room/visible-mods').expect(200, expectRoom);
    const forModerator: Json = {
      ...expectRoom,
      ...ALL_DEFAULTS,
      global_moderator: true,
      hidden_admins: [gadmin.blindedId],
      hidden_moderators: [gmod.blindedId],
      moderator: true,
    };
    await get(gmod, '/room/visible-mods/pollInfo/0').expect(200, {
      token: 'visible-mods',
      active_users: 0,
      details: forModerator,
      read: true,
      write: true,
      upload: true,
      moderator: true,
      global_moderator: true,
      ...ALL_DEFAULTS,
    });

    await moderation.setModerator(system, gmod.blindedId, { global: true }, { moderator: true, admin: false, visible: true });
    await moderation.setModerator(system, gadmin.blindedId, { global: true }, { admin: true, visible: true });
    for (const e of [expectRoom, forModerator]) {
      e.moderators = [mod.blindedId, gmod.blindedId].sort();
      e.admins = [gadmin.blindedId];
      e.info_updates += 2;
    }
    delete forModerator.hidden_admins;
    delete forModerator.hidden_moderators;
    delete forModerator.global_moderator;
    await get(user, '/room/visible-mods').expect(200, expectRoom);
    await get(mod, '/room/visible-mods').expect(200, forModerator);
    for (const c of [gmod, gadmin]) await moderation.setModerator(system, c.blindedId, { global: true }, { moderator: false });
  });

  it('takes visibility from the room appointment over the global one', async () => {
    const [a, b] = [await rooms.create({ token: 'vis-a' }), await rooms.create({ token: 'vis-b' })];
    const [user, hiddenGlobal, visibleGlobal] = Array.from({ length: 3 }, () => t.newClient());
    await moderation.setModerator(system, hiddenGlobal.blindedId, { global: true }, { moderator: true });
    await moderation.setModerator(system, visibleGlobal.blindedId, { global: true }, { admin: true, visible: true });
    // Room-level rows for the same people in room a, with the opposite visibility.
    await moderation.setModerator(system, hiddenGlobal.blindedId, { rooms: [a] }, { moderator: true, visible: true });
    await moderation.setModerator(system, visibleGlobal.blindedId, { rooms: [a] }, { moderator: true, visible: false });
    const staff = (info: Json) => ({ moderators: info.moderators, admins: info.admins, hm: info.hidden_moderators, ha: info.hidden_admins });
    const inA = (await get(user, '/room/vis-a').expect(200)).body;
    const inB = (await get(user, '/room/vis-b').expect(200)).body;
    expect(staff(inA)).toEqual({ moderators: [hiddenGlobal.blindedId], admins: [], hm: undefined, ha: undefined });
    expect(staff(inB)).toEqual({ moderators: [], admins: [visibleGlobal.blindedId], hm: undefined, ha: undefined });
    // A global admin stays an admin where the room row only makes them a moderator.
    const aForMod = (await get(hiddenGlobal, '/room/vis-a').expect(200)).body;
    expect(staff(aForMod)).toEqual({ moderators: [hiddenGlobal.blindedId], admins: [], hm: undefined, ha: [visibleGlobal.blindedId] });
    const bForMod = (await get(hiddenGlobal, '/room/vis-b').expect(200)).body;
    expect(staff(bForMod)).toEqual({ moderators: [], admins: [visibleGlobal.blindedId], hm: [hiddenGlobal.blindedId], ha: undefined });
  });
});
