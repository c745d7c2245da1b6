import request from 'supertest';
import { blindedIdCandidates } from '../../src/crypto';
import { CleanupService } from '../../src/jobs/cleanup.service';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

describe('POST /user/{sid}/moderator, /ban, /unban (§1.7, §8.2, §8.5)', () => {
  let t: TestApp;
  let room: Room;
  let room2: Room;
  let system: User;
  let moderation: ModerationService;
  let user: SessionClient, user2: SessionClient, mod: SessionClient, admin: SessionClient, gmod: SessionClient, gadmin: SessionClient;

  const q = <T = any>(sql: string, params?: unknown[]) => t.database.query<T>(sql, params);
  const infoUpdates = async () =>
    Object.fromEntries((await q<{ token: string; info_updates: number }>(`SELECT token, info_updates FROM rooms`)).map((r) => [r.token, r.info_updates]));
  /** Rows left with nothing to say are deleted by a trigger: read absence as "no override". */
  const NONE = { banned: false, moderator: false, admin: false, visible_mod: true };
  const override = async (c: SessionClient, r: Room) =>
    (
      await q(
        `SELECT o.banned, o.moderator, o.admin, o.visible_mod FROM user_permission_overrides o JOIN users u ON u.id = o."user"
         WHERE u.session_id = $1 AND o.room = $2`,
        [c.blindedId, r.id],
      )
    )[0] ?? NONE;
  const userRow = async (c: SessionClient) =>
    (await q(`SELECT banned, moderator, admin, visible_mod FROM users WHERE session_id = $1`, [c.blindedId]))[0];
  const post = (c: SessionClient, path: string, json: unknown) => signed(t.server, c, 'POST', path, { json });

  beforeAll(async () => {
    t = await createTestApp();
    const rooms = t.app.get(RoomsService);
    room = await rooms.create({ token: 'test-room', name: 'Test room' });
    room2 = await rooms.create({ token: 'room2', name: 'Room 2' });
    moderation = t.app.get(ModerationService);
    system = (await t.app.get(UsersRepository).findById(0))!;
    [user, user2, mod, admin, gmod, gadmin] = Array.from({ length: 6 }, () => t.newClient());
    for (const c of [user, user2, mod, admin, gmod, gadmin]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    await moderation.setModerator(system, mod.blindedId, { rooms: [room] }, { moderator: true });
    await moderation.setModerator(system, admin.blindedId, { rooms: [room] }, { admin: true });
    await moderation.setModerator(system, gmod.blindedId, { global: true }, { moderator: true });
    await moderation.setModerator(system, gadmin.blindedId, { global: true }, { admin: true });
  });
  afterAll(() => t.close());

  describe('global appointments', () => {
    it('only a global admin appoints; the answer lists every room with its new info_updates', async () => {
      for (const c of [user, mod, admin, gmod]) {
        const res = await post(c, `/user/${user2.blindedId}/moderator`, { global: true, moderator: true });
        expect(res.status).toBe(403);
      }
      const before = await infoUpdates();
      const res = await post(gadmin, `/user/${user2.blindedId}/moderator`, { global: true, moderator: true }).expect(200);
      expect(res.headers['content-type']).toBe('application/json');
      const after = await infoUpdates();
      expect(res.body).toEqual({ info_updates: after });
      expect(after['test-room']).toBeGreaterThan(before['test-room']);
      expect(after.room2).toBeGreaterThan(before.room2);
      expect(await userRow(user2)).toEqual({ banned: false, moderator: true, admin: false, visible_mod: false });
    });

    it.each([
      [{ admin: true }, { moderator: true, admin: true }],
      [{ admin: false }, { moderator: true, admin: false }],
      [{ admin: true, moderator: true }, { moderator: true, admin: true }],
      [{ admin: false, moderator: true }, { moderator: true, admin: false }],
      [{ moderator: false }, { moderator: false, admin: false }],
      [{ admin: true, visible: true }, { moderator: true, admin: true, visible_mod: true }],
      [{ admin: false, moderator: false }, { moderator: false, admin: false }],
      [{ admin: false }, { moderator: false, admin: false }],
    ])('applies %j (§8.2 table)', async (body, expected) => {
      const before = await infoUpdates();
      const res = await post(gadmin, `/user/${user2.blindedId}/moderator`, { global: true, ...body }).expect(200);
      expect(res.body).toEqual({ info_updates: await infoUpdates() });
      expect(await userRow(user2)).toMatchObject(expected);
      expect(Object.keys(res.body.info_updates).sort()).toEqual(Object.keys(before).sort());
    });

    it('a pure visibility change still bumps every room', async () => {
      await post(gadmin, `/user/${user2.blindedId}/moderator`, { global: true, moderator: true }).expect(200);
      const before = await infoUpdates();
      await post(gadmin, `/user/${user2.blindedId}/moderator`, { global: true, moderator: true, visible: true }).expect(200);
      const after = await infoUpdates();
      expect(after['test-room']).toBeGreaterThan(before['test-room']);
      expect(await userRow(user2)).toMatchObject({ visible_mod: true });
      await post(gadmin, `/user/${user2.blindedId}/moderator`, { global: true, moderator: false }).expect(200);
    });
  });

  describe('room appointments', () => {
    it('a room admin appoints in their room; the answer names only the affected room', async () => {
      const res = await post(admin, `/user/${user2.blindedId}/moderator`, { rooms: ['test-room'], moderator: true }).expect(200);
      expect(res.body).toEqual({ info_updates: { 'test-room': (await infoUpdates())['test-room'] } });
      expect(await override(user2, room)).toEqual({ banned: false, moderator: true, admin: false, visible_mod: true });
      await post(admin, `/user/${user2.blindedId}/moderator`, { rooms: ['test-room'], moderator: true, visible: false }).expect(200);
      expect(await override(user2, room)).toMatchObject({ visible_mod: false });
      await post(admin, `/user/${user2.blindedId}/moderator`, { rooms: ['test-room'], moderator: false }).expect(200);
      expect(await override(user2, room)).toEqual({ banned: false, moderator: false, admin: false, visible_mod: true });
    });

    it('refuses mods, other rooms and unknown rooms with 403', async () => {
      const cases: Array<[SessionClient, unknown]> = [
        [mod, ['test-room']],
        [user, ['test-room']],
        [admin, ['room2']],
        [admin, ['test-room', 'room2']],
        [admin, ['no-such-room']],
        [gmod, ['test-room']],
        [mod, ['*']],
      ];
      for (const [c, rooms] of cases) {
        const res = await post(c, `/user/${user2.blindedId}/moderator`, { rooms, moderator: true });
        expect([rooms, res.status]).toEqual([rooms, 403]);
      }
      expect(await override(user2, room2)).toEqual(NONE);
    });

    it('a global admin is admin of every room; "*" expands to the rooms the caller administers', async () => {
      const res = await post(gadmin, `/user/${user2.blindedId}/moderator`, { rooms: ['*'], admin: true }).expect(200);
      const now = await infoUpdates();
      expect(res.body).toEqual({ info_updates: { 'test-room': now['test-room'], room2: now.room2 } });
      expect(await override(user2, room2)).toMatchObject({ moderator: true, admin: true });
      const res2 = await post(admin, `/user/${user2.blindedId}/moderator`, { rooms: ['*'], admin: false }).expect(200);
      expect(Object.keys(res2.body.info_updates)).toEqual(['test-room']);
      expect(await override(user2, room)).toMatchObject({ moderator: true, admin: false });
      expect(await override(user2, room2)).toMatchObject({ moderator: true, admin: true });
      await post(gadmin, `/user/${user2.blindedId}/moderator`, { rooms: ['TEST-ROOM', 'room2'], moderator: false }).expect(200);
      expect(await override(user2, room2)).toMatchObject({ moderator: false, admin: false });
    });

    it('answers 400 for every malformed body, before permissions', async () => {
      const bad: unknown[] = [
        [],
        'x',
        1,
        null,
        { moderator: true },
        { rooms: [], moderator: true },
        { rooms: 'test-room', moderator: true },
        { rooms: ['test-room', '*'], moderator: true },
        { rooms: ['test-room'], global: true, moderator: true },
        { rooms: [1], moderator: true },
        { rooms: ['test-room'] },
        { rooms: ['test-room'], admin: null, moderator: null },
        { rooms: ['test-room'], admin: true, moderator: false },
        { rooms: ['test-room'], moderator: 'yes' },
        { rooms: ['test-room'], moderator: true, visible: 1 },
        { global: 'true', moderator: true },
      ];
      for (const json of bad) {
        for (const c of [admin, user]) {
          const res = await post(c, `/user/${user2.blindedId}/moderator`, json);
          expect([json, res.status]).toEqual([json, 400]);
        }
      }
      const res = await signed(t.server, admin, 'POST', `/user/${user2.blindedId}/moderator`, { body: Buffer.from('{nope'), contentType: 'application/json' });
      expect(res.status).toBe(400);
    });

    it('sid must be 05/15 + 64 hex (404), and the call needs a signature (401)', async () => {
      for (const sid of ['06' + 'a'.repeat(64), '15' + 'a'.repeat(63), '15' + 'g'.repeat(64), 'x']) {
        expect((await post(admin, `/user/${sid}/moderator`, { rooms: ['test-room'], moderator: true })).status).toBe(404);
      }
      await request(t.server).post(`/user/${user2.blindedId}/ban`).send({ global: true }).expect(401);
      // Upper-case hex names the same (lower-cased) user.
      await post(admin, `/user/${user2.blindedId.toUpperCase().replace(/^15/, '15')}/moderator`, { rooms: ['test-room'], moderator: true }).expect(200);
      expect(await override(user2, room)).toMatchObject({ moderator: true });
      await post(admin, `/user/${user2.blindedId}/moderator`, { rooms: ['test-room'], moderator: false }).expect(200);
    });
  });

  describe('bans', () => {
    it('a room mod bans and unbans in their room; the banned user loses the room', async () => {
      await post(user, `/user/${user2.blindedId}/ban`, { rooms: ['test-room'] }).expect(403);
      const res = await post(mod, `/user/${user2.blindedId}/ban`, { rooms: ['test-room'] }).expect(200);
      expect(res.body).toEqual({});
      expect(await override(user2, room)).toMatchObject({ banned: true });
      expect((await signed(t.server, user2, 'GET', '/room/test-room')).status).toBe(404);
      expect((await signed(t.server, user2, 'GET', '/room/test-room/messages/recent')).status).toBe(403);
      await signed(t.server, user2, 'GET', '/room/room2').expect(200);
      await post(mod, `/user/${user2.blindedId}/ban`, { rooms: ['room2'] }).expect(403);
      expect((await post(mod, `/user/${user2.blindedId}/unban`, { rooms: ['test-room'] }).expect(200)).body).toEqual({});
      expect(await override(user2, room)).toMatchObject({ banned: false });
      await signed(t.server, user2, 'GET', '/room/test-room').expect(200);
      // Unbanning someone who is not banned is fine.
      await post(mod, `/user/${user2.blindedId}/unban`, { rooms: ['test-room'] }).expect(200);
    });

    it('refuses self-bans, bans of global staff, and (unless admin) of room mods', async () => {
      await post(mod, `/user/${mod.blindedId}/ban`, { rooms: ['test-room'] }).expect(403);
      await post(mod, `/user/${gmod.blindedId}/ban`, { rooms: ['test-room'] }).expect(403);
      await post(admin, `/user/${gadmin.blindedId}/ban`, { rooms: ['test-room'] }).expect(403);
      await post(gadmin, `/user/${gmod.blindedId}/ban`, { global: true }).expect(403);
      await post(mod, `/user/${admin.blindedId}/ban`, { rooms: ['test-room'] }).expect(403);
      expect(await override(admin, room)).toMatchObject({ admin: true, banned: false });
      // An admin may ban a room mod, which removes the appointment.
      const other = t.newClient();
      await moderation.setModerator(system, other.blindedId, { rooms: [room] }, { moderator: true });
      await post(admin, `/user/${other.blindedId}/ban`, { rooms: ['test-room'] }).expect(200);
      expect(await override(other, room)).toEqual({ banned: true, moderator: false, admin: false, visible_mod: true });
    });

    it('global bans need a global mod and are independent of room bans', async () => {
      await post(admin, `/user/${user2.blindedId}/ban`, { global: true }).expect(403);
      await post(gmod, `/user/${user2.blindedId}/ban`, { rooms: ['test-room'] }).expect(200);
      await post(gmod, `/user/${user2.blindedId}/ban`, { global: true }).expect(200);
      const res = await signed(t.server, user2, 'GET', '/capabilities');
      expect([res.status, res.text]).toEqual([403, 'Banned']);
      await post(gmod, `/user/${user2.blindedId}/unban`, { global: true }).expect(200);
      expect(await userRow(user2)).toMatchObject({ banned: false });
      expect(await override(user2, room)).toMatchObject({ banned: true });
      await post(gmod, `/user/${user2.blindedId}/unban`, { rooms: ['*'] }).expect(200);
      expect(await override(user2, room)).toMatchObject({ banned: false });
    });

    it('"*" bans in the rooms the caller moderates', async () => {
      const victim = t.newClient();
      await post(mod, `/user/${victim.blindedId}/ban`, { rooms: ['*'] }).expect(200);
      expect(await override(victim, room)).toMatchObject({ banned: true });
      expect(await override(victim, room2)).toEqual(NONE);
      await post(user, `/user/${victim.blindedId}/ban`, { rooms: ['*'] }).expect(403);
    });

    it('validates ban and unban bodies with 400', async () => {
      const bad: unknown[] = [[], null, {}, { rooms: [] }, { rooms: ['*', 'room2'] }, { rooms: ['test-room'], global: true }, { rooms: ['test-room'], timeout: '60' }, { global: true, timeout: [1] }, { rooms: ['test-room'], timeout: true }];
      for (const json of bad) {
        const res = await post(gmod, `/user/${user2.blindedId}/ban`, json);
        expect([json, res.status]).toEqual([json, 400]);
      }
      for (const json of bad.slice(0, 6)) {
        const res = await post(gmod, `/user/${user2.blindedId}/unban`, json);
        expect([json, res.status]).toEqual([json, 400]);
      }
    });

    it('a timed ban is lifted by the cleanup job; repeating replaces the timeout, a permanent ban cancels it', async () => {
      const victim = t.newClient();
      await signed(t.server, victim, 'GET', '/capabilities').expect(200);
      const cleanup = t.app.get(CleanupService);
      await post(mod, `/user/${victim.blindedId}/ban`, { rooms: ['test-room'], timeout: 100 }).expect(200);
      await post(mod, `/user/${victim.blindedId}/ban`, { rooms: ['test-room'], timeout: 300 }).expect(200);
      expect(await q(`SELECT count(*)::int AS n FROM user_ban_futures`)).toEqual([{ n: 1 }]);
      t.clock.advance(200);
      await cleanup.runOnce();
      expect(await override(victim, room)).toMatchObject({ banned: true });
      t.clock.advance(101);
      await cleanup.runOnce();
      expect(await override(victim, room)).toMatchObject({ banned: false });
      await signed(t.server, victim, 'GET', '/room/test-room').expect(200);

      await post(gmod, `/user/${victim.blindedId}/ban`, { global: true, timeout: 10 }).expect(200);
      await post(gmod, `/user/${victim.blindedId}/ban`, { global: true }).expect(200);
      t.clock.advance(11);
      await cleanup.runOnce();
      expect(await userRow(victim)).toMatchObject({ banned: true });
      await post(gmod, `/user/${victim.blindedId}/unban`, { global: true, timeout: 5 }).expect(200);
      expect(await userRow(victim)).toMatchObject({ banned: false });

      // Timeout 0 bans now and unbans at the next run.
      await post(mod, `/user/${victim.blindedId}/ban`, { rooms: ['test-room'], timeout: 0 }).expect(200);
      expect(await override(victim, room)).toMatchObject({ banned: true });
      await cleanup.runOnce();
      expect(await override(victim, room)).toMatchObject({ banned: false });
      expect(await q(`SELECT count(*)::int AS n FROM user_ban_futures`)).toEqual([{ n: 0 }]);
    });
  });

  describe('moderation by 05 id reaches the blinded user', () => {
    function clientWithSign(positive: boolean): SessionClient {
      for (;;) {
        const c = t.newClient();
        const cands = blindedIdCandidates(c.sessionId, t.serverKey.publicKey)!;
        if ((c.blindedId === cands.abs) === positive) return c;
      }
    }

    it.each([
      ['positive', true],
      ['negative', false],
    ])('%s sign: before and after the blinded user first appears', async (_sign, positive) => {
      const early = clientWithSign(positive);
      await post(admin, `/user/${early.sessionId}/moderator`, { rooms: ['test-room'], moderator: true }).expect(200);
      await signed(t.server, early, 'GET', '/capabilities').expect(200);
      expect(await override(early, room)).toMatchObject({ moderator: true });

      const late = clientWithSign(positive);
      await signed(t.server, late, 'GET', '/capabilities').expect(200);
      await post(mod, `/user/${late.sessionId}/ban`, { rooms: ['test-room'] }).expect(200);
      expect(await override(late, room)).toMatchObject({ banned: true });
      expect((await signed(t.server, late, 'GET', '/room/test-room')).status).toBe(404);
      await post(mod, `/user/${late.sessionId}/unban`, { rooms: ['test-room'] }).expect(200);
      expect(await override(late, room)).toMatchObject({ banned: false });
      const perms = await signed(t.server, mod, 'POST', `/room/test-room/permissions/${late.sessionId}`, { json: { write: false } }).expect(200);
      expect(perms.body).toEqual({ write: false });
      expect((await signed(t.server, mod, 'GET', `/room/test-room/permissions/${late.blindedId}`)).body).toEqual({ write: false });
    });
  });
});
