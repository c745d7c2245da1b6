import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { CleanupService } from '../../src/jobs/cleanup.service';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

describe('room permissions, futurePermissions and delete-all (§1.7, §8.4)', () => {
  let t: TestApp;
  let room: Room;
  let room2: Room;
  let system: User;
  let user: SessionClient, user2: SessionClient, mod: SessionClient, admin: SessionClient, gmod: SessionClient;

  const q = <T = any>(sql: string, params?: unknown[]) => t.database.query<T>(sql, params);
  const get = (c: SessionClient, path: string) => signed(t.server, c, 'GET', path);
  const post = (c: SessionClient, path: string, json: unknown) => signed(t.server, c, 'POST', path, { json });
  const runCleanup = () => t.app.get(CleanupService).runOnce();
  const say = (c: SessionClient, token: string) =>
    post(c, `/room/${token}/message`, { data: randomBytes(20).toString('base64'), signature: randomBytes(64).toString('base64') }).expect(201);

  beforeAll(async () => {
    t = await createTestApp();
    const rooms = t.app.get(RoomsService);
    room = await rooms.create({ token: 'test-room', name: 'Test room' });
    room2 = await rooms.create({ token: 'room2', name: 'Room 2' });
    system = (await t.app.get(UsersRepository).findById(0))!;
    [user, user2, mod, admin, gmod] = Array.from({ length: 5 }, () => t.newClient());
    for (const c of [user, user2, mod, admin, gmod]) await get(c, '/capabilities').expect(200);
    const moderation = t.app.get(ModerationService);
    await moderation.setModerator(system, mod.blindedId, { rooms: [room] }, { moderator: true, visible: false });
    await moderation.setModerator(system, admin.blindedId, { rooms: [room] }, { admin: true });
    await moderation.setModerator(system, gmod.blindedId, { global: true }, { moderator: true });
  });
  afterAll(() => t.close());

  describe('permissions', () => {
    it('are for mods only (global mods too), need a signature, and 404 for unknown rooms and bad ids', async () => {
      for (const path of ['/room/test-room/permissions', `/room/test-room/permissions/${user2.blindedId}`]) {
        expect((await get(user, path)).status).toBe(403);
        expect((await request(t.server).get(path)).status).toBe(401);
      }
      expect((await post(user, `/room/test-room/permissions/${user2.blindedId}`, { write: false })).status).toBe(403);
      expect((await get(mod, '/room/room2/permissions')).status).toBe(403);
      await get(gmod, '/room/room2/permissions').expect(200);
      expect((await get(mod, '/room/nope/permissions')).status).toBe(404);
      expect((await get(mod, '/room/test-room/permissions/05xyz')).status).toBe(404);
      expect((await post(mod, `/room/test-room/permissions/${'25' + 'a'.repeat(64)}`, { write: false })).status).toBe(404);
    });

    it('lists every override row with only the keys that apply (mods, hidden mods, admins)', async () => {
      const res = await get(mod, '/room/test-room/permissions').expect(200);
      expect(res.body).toEqual({ [mod.blindedId]: { moderator: true, hidden: true }, [admin.blindedId]: { admin: true } });
      // A user without overrides: {} (the reference crashes).
      expect((await get(mod, `/room/test-room/permissions/${user2.blindedId}`).expect(200)).body).toEqual({});
      expect((await get(mod, `/room/test-room/permissions/${'15' + 'c'.repeat(64)}`).expect(200)).body).toEqual({});
    });

    it('sets and clears overrides; the response is the summary', async () => {
      const path = `/room/test-room/permissions/${user2.blindedId}`;
      expect((await post(mod, path, { write: false, upload: true, read: null }).expect(200)).body).toEqual({ write: false, upload: true });
      expect((await post(gmod, path, { accessible: false }).expect(200)).body).toEqual({ write: false, upload: true, accessible: false });
      expect((await say(user, 'test-room')).status).toBe(201);
      expect((await post(user2, '/room/test-room/message', { data: 'aGk=', signature: randomBytes(64).toString('base64') })).status).toBe(403);
      expect((await post(mod, path, { default_write: true, default_upload: true, default_read: false }).expect(200)).body).toEqual({ accessible: false });
      expect((await get(mod, '/room/test-room/permissions').expect(200)).body[user2.blindedId]).toEqual({ accessible: false });
      expect((await post(mod, path, { default_accessible: true }).expect(200)).body).toEqual({});
      const ban = await post(mod, `/user/${user2.blindedId}/ban`, { rooms: ['test-room'] }).expect(200);
      expect(ban.body).toEqual({});
      expect((await get(mod, path).expect(200)).body).toEqual({ banned: true });
      await post(mod, `/user/${user2.blindedId}/unban`, { rooms: ['test-room'] }).expect(200);
    });

    it('400 for empty updates, contradictions and wrong types; never 5xx', async () => {
      const path = `/room/test-room/permissions/${user2.blindedId}`;
      const bad: unknown[] = [{}, { read: null }, { default_read: false }, { write: false, default_write: true }, { write: 'no' }, { default_upload: 1 }, { write: false, unschedule: 'x' }, [], 'x', null, 5];
      for (const json of bad) {
        const res = await post(mod, path, json);
        expect([json, res.status]).toEqual([json, 400]);
      }
      expect((await signed(t.server, mod, 'POST', path, { body: Buffer.from('{') , contentType: 'application/json' })).status).toBe(400);
      expect((await signed(t.server, mod, 'POST', path)).status).toBe(400);
    });
  });

  describe('futurePermissions', () => {
    it('schedules changes, lists them in `at` order, and the cleanup job applies them once', async () => {
      const who = t.newClient();
      await get(who, '/capabilities').expect(200);
      const path = `/room/test-room/futurePermissions/${who.blindedId}`;
      const now = t.clock.now();
      const first = await post(mod, path, { write: false, upload: null, in: 100 }).expect(200);
      expect(first.body).toEqual([{ at: expect.closeTo(now + 100, 0), write: false }]);
      const both = await post(mod, path, { write: true, read: false, in: 50.5 }).expect(200);
      expect(both.body).toEqual([
        { at: expect.closeTo(now + 50.5, 0), read: false, write: true },
        { at: expect.closeTo(now + 100, 0), write: false },
      ]);
      await post(mod, `/user/${who.blindedId}/ban`, { rooms: ['test-room'], timeout: 75 }).expect(200);
      const all = await get(mod, '/room/test-room/futurePermissions').expect(200);
      expect(all.body).toEqual([
        { session_id: who.blindedId, at: expect.closeTo(now + 50.5, 0), read: false, write: true },
        { session_id: who.blindedId, at: expect.closeTo(now + 75, 0), banned: false },
        { session_id: who.blindedId, at: expect.closeTo(now + 100, 0), write: false },
      ]);
      expect((await get(mod, `/room/test-room/futurePermissions/${who.blindedId}`).expect(200)).body).toHaveLength(3);
      expect((await get(mod, '/room/room2/futurePermissions')).status).toBe(403);
      expect((await get(gmod, '/room/room2/futurePermissions').expect(200)).body).toEqual([]);

      t.clock.advance(60);
      await runCleanup();
      // write: true equals the room default → stored as "no override"; read false is kept; still banned.
      const [o1] = await q(`SELECT banned, read, write FROM user_permission_overrides WHERE room = $1 AND "user" = (SELECT id FROM users WHERE session_id = $2)`, [room.id, who.blindedId]);
      expect(o1).toEqual({ banned: true, read: false, write: null });
      t.clock.advance(100);
      await runCleanup();
      expect((await get(mod, `/room/test-room/permissions/${who.blindedId}`).expect(200)).body).toEqual({ read: false, write: false });
      expect((await get(mod, '/room/test-room/futurePermissions').expect(200)).body).toEqual([]);
      await runCleanup();
      expect((await get(mod, `/room/test-room/permissions/${who.blindedId}`).expect(200)).body).toEqual({ read: false, write: false });
    });

    it('applies several due changes of one round in `at` order, not insertion order', async () => {
      const who = t.newClient();
      const path = `/room/test-room/futurePermissions/${who.blindedId}`;
      await post(mod, path, { write: true, in: 20 }).expect(200);
      await post(mod, path, { write: false, upload: false, in: 10 }).expect(200);
      await post(mod, path, { upload: true, in: 5 }).expect(200);
      t.clock.advance(30);
      await Promise.all([runCleanup(), runCleanup()]);
      expect((await get(mod, `/room/test-room/permissions/${who.blindedId}`).expect(200)).body).toEqual({ upload: false });
      expect((await get(mod, path).expect(200)).body).toEqual([]);
    });

    it('setting a permission unschedules changes to it unless unschedule is false', async () => {
      const who = t.newClient();
      const path = `/room/test-room/futurePermissions/${who.blindedId}`;
      await post(mod, path, { write: true, upload: false, in: 10 }).expect(200);
      await post(mod, `/room/test-room/permissions/${who.blindedId}`, { write: false, unschedule: false }).expect(200);
      expect((await get(mod, path).expect(200)).body).toEqual([{ at: expect.any(Number), write: true, upload: false }]);
      await post(mod, `/room/test-room/permissions/${who.blindedId}`, { default_write: true }).expect(200);
      expect((await get(mod, path).expect(200)).body).toEqual([{ at: expect.any(Number), upload: false }]);
      await post(mod, `/room/test-room/permissions/${who.blindedId}`, { upload: true }).expect(200);
      expect((await get(mod, path).expect(200)).body).toEqual([]);
    });

    it('validates the body: some permission, and 0 < in < 1e9 as a JSON number', async () => {
      const path = `/room/test-room/futurePermissions/${user2.blindedId}`;
      const bad: unknown[] = [{ in: 10 }, { write: null, in: 10 }, { accessible: true, in: 10 }, { write: true }, { write: true, in: 0 }, { write: true, in: -1 }, { write: true, in: 1e9 }, { write: true, in: '10' }, { write: 'yes', in: 10 }, [], null];
      for (const json of bad) {
        const res = await post(mod, path, json);
        expect([json, res.status]).toEqual([json, 400]);
      }
      await post(mod, path, { write: true, in: 999_999_999 }).expect(200);
      expect((await post(user, path, { write: true, in: 5 })).status).toBe(403);
    });

    it('"mute for a day" through /sequence', async () => {
      const who = t.newClient();
      await get(who, '/capabilities').expect(200);
      const res = await post(mod, '/sequence', [
        { method: 'POST', path: `/room/test-room/permissions/${who.blindedId}`, json: { write: false } },
        { method: 'POST', path: `/room/test-room/futurePermissions/${who.blindedId}`, json: { write: true, in: 86400 } },
      ]);
      expect(res.status).toBe(200);
      expect(res.body.map((r: { code: number }) => r.code)).toEqual([200, 200]);
      expect((await post(who, '/room/test-room/message', { data: 'aGk=', signature: randomBytes(64).toString('base64') })).status).toBe(403);
      t.clock.advance(86401);
      await runCleanup();
      await say(who, 'test-room');
      expect((await get(mod, `/room/test-room/permissions/${who.blindedId}`).expect(200)).body).toEqual({});
    });
  });

  it('answers odd input on every moderation endpoint with a 4xx, never a 5xx', async () => {
    const sids = [user2.blindedId, user2.sessionId, '05' + 'f'.repeat(64), '15' + '0'.repeat(64), 'ff' + 'a'.repeat(64), '15', '%00'];
    const bodies: unknown[] = [null, [], 'x', 0, {}, { rooms: ['*'], timeout: -1e308, admin: true }, { rooms: [null] }, { global: true, moderator: {} },
      { read: [], write: {}, in: 1e308 }, { write: true, in: Number.MIN_VALUE }, { rooms: ['x'.repeat(100)], moderator: true }, { default_read: true, read: false }];
    const targets = (sid: string) => [
      `/user/${sid}/moderator`, `/user/${sid}/ban`, `/user/${sid}/unban`,
      `/room/test-room/permissions/${sid}`, `/room/test-room/futurePermissions/${sid}`, `/room/${'x'.repeat(65)}/permissions/${sid}`,
    ];
    for (const sid of sids) {
      for (const path of targets(sid)) {
        for (const json of bodies) {
          for (const c of [mod, user]) {
            const res = await post(c, path, json);
            expect([path, json, res.status < 500]).toEqual([path, json, true]);
          }
        }
      }
      for (const path of [`/room/test-room/all/${sid}`, `/rooms/all/${sid}`]) {
        const res = await signed(t.server, user, 'DELETE', path);
        // /rooms/all for an existing user answers 200 with nothing deleted (no permitted room).
        expect([path, res.status < 500]).toEqual([path, true]);
      }
    }
  });

  describe('DELETE /room/{token}/all/{sid} and /rooms/all/{sid}', () => {
    const live = async (c: SessionClient, r: Room) =>
      (await q(`SELECT count(*)::int AS n FROM messages m JOIN users u ON u.id = m."user" WHERE u.session_id = $1 AND m.room = $2 AND m.data IS NOT NULL`, [c.blindedId, r.id]))[0].n;

    it('deletes one user’s messages in a room (mod), expires their uploads but not the room image', async () => {
      const poster = t.newClient();
      await say(poster, 'test-room');
      await say(poster, 'test-room');
      await say(poster, 'room2');
      await say(user, 'test-room');
      const [{ id: uid }] = await q(`SELECT id FROM users WHERE session_id = $1`, [poster.blindedId]);
      const files = await q<{ id: number }>(
        `INSERT INTO files (room, uploader, size, uploaded, expiry, path) VALUES ($1, $2, 1, $3, NULL, 'a'), ($1, $2, 1, $3, $3 + 3600, 'b'), ($4, $2, 1, $3, NULL, 'c') RETURNING id`,
        [room.id, uid, t.clock.now(), room2.id],
      );
      await q(`UPDATE rooms SET image = $1 WHERE id = $2`, [files[0].id, room.id]);
      const seq = (await q(`SELECT message_sequence FROM rooms WHERE id = $1`, [room.id]))[0].message_sequence;
      expect((await signed(t.server, user, 'DELETE', `/room/test-room/all/${poster.blindedId}`)).status).toBe(403);
      const before = t.clock.now();
      const res = await signed(t.server, mod, 'DELETE', `/room/test-room/all/${poster.blindedId}`).expect(200);
      const after = t.clock.now();
      expect(res.body).toEqual({});
      expect(await live(poster, room)).toBe(0);
      expect(await live(poster, room2)).toBe(1);
      expect(await live(user, room)).toBeGreaterThan(0);
      expect((await q(`SELECT message_sequence FROM rooms WHERE id = $1`, [room.id]))[0].message_sequence).toBe(seq + 2);
      const edited = await q(`SELECT edited FROM messages WHERE "user" = $1 AND room = $2`, [uid, room.id]);
      expect(edited).toHaveLength(2);
      expect(edited[0].edited).toBe(edited[1].edited);
      expect(edited[0].edited).toBeGreaterThanOrEqual(before);
      expect(edited[0].edited).toBeLessThanOrEqual(after);
      expect(await q(`SELECT path, expiry FROM files WHERE uploader = $1 ORDER BY path`, [uid])).toEqual([
        { path: 'a', expiry: null },
        { path: 'b', expiry: 0 },
        { path: 'c', expiry: null },
      ]);
      // Nothing left to delete → 404.
      expect((await signed(t.server, mod, 'DELETE', `/room/test-room/all/${poster.blindedId}`)).status).toBe(404);
      await q(`UPDATE rooms SET image = NULL WHERE id = $1`, [room.id]);
    });

    it('lets users delete their own; only admins delete an admin’s; 401/404 for anonymous/unknown', async () => {
      const self = t.newClient();
      await say(self, 'test-room');
      await signed(t.server, self, 'DELETE', `/room/test-room/all/${self.blindedId}`).expect(200);
      await say(admin, 'test-room');
      expect((await signed(t.server, mod, 'DELETE', `/room/test-room/all/${admin.blindedId}`)).status).toBe(403);
      await signed(t.server, gmod, 'DELETE', `/room/test-room/all/${admin.blindedId}`).expect(403);
      await say(mod, 'test-room');
      await signed(t.server, admin, 'DELETE', `/room/test-room/all/${mod.blindedId}`).expect(200);
      expect((await request(t.server).delete(`/room/test-room/all/${self.blindedId}`)).status).toBe(401);
      expect((await request(t.server).delete(`/rooms/all/${self.blindedId}`)).status).toBe(401);
      expect((await signed(t.server, mod, 'DELETE', `/room/test-room/all/${'15' + 'e'.repeat(64)}`)).status).toBe(404);
      expect((await signed(t.server, mod, 'DELETE', `/rooms/all/${'15' + 'e'.repeat(64)}`)).status).toBe(404);
      expect((await signed(t.server, mod, 'DELETE', `/room/test-room/all/nope`)).status).toBe(404);
      expect((await signed(t.server, mod, 'DELETE', `/room/nope/all/${self.blindedId}`)).status).toBe(404);
    });

    it('/rooms/all deletes where permitted and counts per room', async () => {
      const poster = t.newClient();
      await say(poster, 'test-room');
      await say(poster, 'room2');
      await say(poster, 'room2');
      const res = await signed(t.server, mod, 'DELETE', `/rooms/all/${poster.blindedId}`).expect(200);
      expect(res.body).toEqual({ total: 1, rooms: { 'test-room': 1 } });
      const mine = await signed(t.server, poster, 'DELETE', `/rooms/all/${poster.blindedId}`).expect(200);
      expect(mine.body).toEqual({ total: 2, rooms: { 'test-room': 0, room2: 2 } });
      expect(await live(poster, room2)).toBe(0);
    });
  });
});
