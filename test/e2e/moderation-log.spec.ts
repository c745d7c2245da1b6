/**
 * Moderator tools the reference lacks: the audit log (who, what, whom, when, where) written in the
 * transaction of every moderation action, readable by the room's moderators (and, whole, by global
 * moderators); the moderator-only listings of staff, bans and active users; the CLI side of both.
 */
import { randomBytes } from 'node:crypto';
import { formatTime } from '../../src/cli/args';
import { CleanupService } from '../../src/jobs/cleanup.service';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { cli } from '../support/cli-runner';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

/** Times taken by the server a few milliseconds before or after the test reads the clock. */
const about = (seconds: number) => expect.closeTo(seconds, 0);

describe('moderation audit log and moderator tools', () => {
  let t: TestApp;
  let lobby: Room, other: Room;
  let system: User;
  let user: SessionClient, user2: SessionClient, mod: SessionClient, hidden: SessionClient, admin: SessionClient, gmod: SessionClient;

  const get = (c: SessionClient | null, path: string) => signed(t.server, c, 'GET', path);
  const post = (c: SessionClient, path: string, json: unknown) => signed(t.server, c, 'POST', path, { json });
  const message = () => ({ data: randomBytes(30).toString('base64'), signature: randomBytes(64).toString('base64') });
  const say = async (c: SessionClient, r: Room): Promise<number> => {
    t.clock.advance(4);
    return (await post(c, `/room/${r.token}/message`, message()).expect(201)).body.id;
  };
  const roomLog = async (r: Room = lobby, query = '') => (await get(mod, `/room/${r.token}/moderation/log${query}`).expect(200)).body as Json[];
  const entry = (action: string, actor: SessionClient | string | null, target: SessionClient | null, details: Json = {}, room: string | null = 'lobby') => ({
    id: expect.any(Number),
    at: expect.any(Number),
    actor: typeof actor === 'string' || actor === null ? actor : actor.blindedId,
    action,
    target: target?.blindedId ?? null,
    room,
    details,
  });

  beforeAll(async () => {
    t = await createTestApp();
    const rooms = t.app.get(RoomsService);
    lobby = await rooms.create({ token: 'lobby' });
    other = await rooms.create({ token: 'other' });
    system = (await t.app.get(UsersRepository).findById(0))!;
    [user, user2, mod, hidden, admin, gmod] = Array.from({ length: 6 }, () => t.newClient());
    for (const c of [user, user2, mod, hidden, admin, gmod]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    const moderation = t.app.get(ModerationService);
    await moderation.setModerator(system, mod.blindedId, { rooms: [lobby] }, { moderator: true });
    await moderation.setModerator(system, hidden.blindedId, { rooms: [lobby] }, { moderator: true, visible: false });
    await moderation.setModerator(system, admin.blindedId, { rooms: [lobby] }, { admin: true });
    await moderation.setModerator(system, gmod.blindedId, { global: true }, { moderator: true });
  });
  afterAll(() => t.close());

  describe('the log', () => {
    it('records each moderation action once, newest first, with actor, target, room, time and details', async () => {
      const start = (await roomLog())[0]?.id ?? 0;
      const now = () => t.clock.now();

      await post(admin, `/user/${user2.blindedId}/moderator`, { rooms: ['lobby'], moderator: true }).expect(200);
      const appointedAt = now();
      await post(admin, `/user/${user2.blindedId}/moderator`, { rooms: ['lobby'], moderator: false }).expect(200);
      await post(mod, `/user/${user.blindedId}/ban`, { rooms: ['lobby'], timeout: 60 }).expect(200);
      const bannedUntil = now() + 60;
      await post(mod, `/user/${user.blindedId}/unban`, { rooms: ['lobby'] }).expect(200);
      await post(mod, `/room/lobby/permissions/${user2.blindedId}`, { write: false }).expect(200);
      await post(mod, `/room/lobby/futurePermissions/${user2.blindedId}`, { in: 30, write: true }).expect(200);
      const scheduledAt = now() + 30;
      await post(mod, `/room/lobby/permissions/${user2.blindedId}`, { default_write: true }).expect(200);

      const theirs = await say(user2, lobby);
      const mine = await say(user, lobby);
      await signed(t.server, user, 'DELETE', `/room/lobby/message/${mine}`).expect(200); // own: not moderation
      await signed(t.server, mod, 'DELETE', `/room/lobby/message/${theirs}`).expect(200);

      const pinned = await say(user, lobby);
      await signed(t.server, user2, 'PUT', `/room/lobby/reaction/${pinned}/👍`).expect(200);
      await signed(t.server, mod, 'DELETE', `/room/lobby/reactions/${pinned}/👍`).expect(200);
      await signed(t.server, mod, 'DELETE', `/room/lobby/reactions/${pinned}`).expect(200); // nothing left: not logged
      await post(admin, `/room/lobby/pin/${pinned}`, {}).expect(200);
      await post(admin, `/room/lobby/unpin/${pinned}`, {}).expect(200);
      await post(admin, `/room/lobby/unpin/${pinned}`, {}).expect(200); // not pinned: not logged
      await post(admin, `/room/lobby/pin/${pinned}`, {}).expect(200);
      await post(admin, `/room/lobby/unpin/all`, {}).expect(200);
      await signed(t.server, admin, 'PUT', '/room/lobby', { json: { name: 'The Lobby', default_upload: false } }).expect(200);
      await say(user2, lobby);
      await signed(t.server, mod, 'DELETE', `/room/lobby/all/${user2.blindedId}`).expect(200);

      const log = (await roomLog()).filter((e) => e.id > start);
      expect(log).toEqual(
        [
          entry('appoint_moderator', admin, user2, { visible: true }),
          entry('dismiss_moderator', admin, user2),
          entry('ban', mod, user, { until: about(bannedUntil) }),
          entry('unban', mod, user),
          entry('set_permissions', mod, user2, { write: false }),
          entry('schedule_permissions', mod, user2, { at: about(scheduledAt), write: true }),
          entry('set_permissions', mod, user2, { write: null }),
          entry('delete_message', mod, user2, { message: theirs }),
          entry('remove_reactions', mod, null, { message: pinned, reaction: '👍', removed: 1 }),
          entry('pin', admin, null, { message: pinned }),
          entry('unpin', admin, null, { message: pinned }),
          entry('pin', admin, null, { message: pinned }),
          entry('unpin_all', admin, null, { unpinned: 1 }),
          entry('update_room', admin, null, { name: 'The Lobby', default_upload: false }),
          entry('delete_all', mod, user2, { messages: 1 }),
        ].reverse(),
      );
      expect(log.map((e) => e.id)).toEqual([...log.map((e) => e.id)].sort((a, b) => b - a));
      expect(log[log.length - 1].at).toEqual(about(appointedAt));
    });

    it('a refused action leaves no entry', async () => {
      const before = await roomLog();
      await post(mod, `/user/${gmod.blindedId}/ban`, { rooms: ['lobby'] }).expect(403);
      await post(mod, `/user/${admin.blindedId}/ban`, { rooms: ['lobby'] }).expect(403); // only admins ban mods
      await post(user, `/user/${user2.blindedId}/ban`, { rooms: ['lobby'] }).expect(403);
      await post(mod, `/user/${user.blindedId}/moderator`, { rooms: ['lobby'], moderator: true }).expect(403);
      await post(mod, `/room/lobby/permissions/${user.blindedId}`, { write: 'no' }).expect(400);
      expect(await roomLog()).toEqual(before);
    });

    it('changes the cleanup applies are logged with no actor', async () => {
      await post(mod, `/user/${user.blindedId}/ban`, { rooms: ['lobby'], timeout: 5 }).expect(200);
      await post(mod, `/room/lobby/futurePermissions/${user2.blindedId}`, { in: 5, write: false }).expect(200);
      t.clock.advance(6);
      await t.app.get(CleanupService).runOnce();
      const [perm, unban] = await roomLog();
      expect(perm).toEqual(entry('set_permissions', null, user2, { write: false, scheduled: true }));
      expect(unban).toEqual(entry('unban', null, user, { scheduled: true }));
    });

    it('a room log shows only that room; global actions are in the global log, for global moderators', async () => {
      await post(gmod, `/user/${user2.blindedId}/ban`, { global: true }).expect(200);
      await post(gmod, `/user/${user2.blindedId}/unban`, { global: true }).expect(200);
      await post(gmod, `/user/${user.blindedId}/ban`, { rooms: ['other'] }).expect(200);
      expect((await roomLog()).some((e) => e.room !== 'lobby' || e.actor === gmod.blindedId)).toBe(false);
      const otherLog = (await get(gmod, '/room/other/moderation/log').expect(200)).body;
      expect(otherLog[0]).toEqual(entry('ban', gmod, user, { until: null }, 'other'));

      const global = (await get(gmod, '/moderation/log?limit=3').expect(200)).body;
      expect(global).toEqual([
        entry('ban', gmod, user, { until: null }, 'other'),
        entry('unban', gmod, user2, {}, null),
        entry('ban', gmod, user2, { until: null }, null),
      ]);
    });

    it('is for moderators: 403 for others, 404 for an unknown room, 401 without signature', async () => {
      for (const c of [user, user2]) {
        expect((await get(c, '/room/lobby/moderation/log')).status).toBe(403);
      }
      expect((await get(mod, '/room/other/moderation/log')).status).toBe(403); // a moderator of another room
      expect((await get(gmod, '/room/nowhere/moderation/log')).status).toBe(404);
      expect((await get(null, '/room/lobby/moderation/log')).status).toBe(401);
      for (const c of [mod, admin, user]) expect((await get(c, '/moderation/log')).status).toBe(403);
      expect((await get(hidden, '/room/lobby/moderation/log')).status).toBe(200);
    });

    it('pages backwards with limit and before; bad values are 400', async () => {
      const all = await roomLog(lobby, '?limit=1000');
      expect(all.length).toBeGreaterThan(10);
      const first = await roomLog(lobby, '?limit=4');
      expect(first).toEqual(all.slice(0, 4));
      const next = await roomLog(lobby, `?limit=4&before=${first[3].id}`);
      expect(next).toEqual(all.slice(4, 8));
      expect(await roomLog(lobby, '?limit=0')).toEqual(all.slice(0, 1)); // clamped to 1
      expect(await roomLog(lobby, '?before=1')).toEqual([]);
      for (const q of ['?before=abc', '?before=-1', '?limit=x', '?before=1.5']) {
        expect((await get(mod, `/room/lobby/moderation/log${q}`)).status).toBe(400);
      }
    });

    it('the same entries through /sequence', async () => {
      const res = await signed(t.server, mod, 'POST', '/sequence', {
        json: [{ method: 'GET', path: '/room/lobby/moderation/log?limit=2' }, { method: 'GET', path: '/room/lobby/bans' }],
      }).expect(200);
      expect(res.body[0]).toEqual({ code: 200, headers: { 'content-type': 'application/json' }, body: await roomLog(lobby, '?limit=2') });
      expect(res.body[1].code).toBe(200);
    });
  });

  describe('listings', () => {
    it('GET /room/{token}/moderators lists every moderator, hidden and global ones too', async () => {
      const res = await get(mod, '/room/lobby/moderators').expect(200);
      const expected = [
        { session_id: mod.blindedId, admin: false, visible: true, global: false },
        { session_id: hidden.blindedId, admin: false, visible: false, global: false },
        { session_id: admin.blindedId, admin: true, visible: true, global: false },
        { session_id: gmod.blindedId, admin: false, visible: false, global: true },
      ].sort((a, b) => a.session_id.localeCompare(b.session_id));
      expect(res.body).toEqual(expected);
      expect((await get(user, '/room/lobby/moderators')).status).toBe(403);
    });

    it('GET /room/{token}/bans lists the room bans with their expiry; /moderation/bans the global ones', async () => {
      await post(mod, `/user/${user.blindedId}/ban`, { rooms: ['lobby'], timeout: 3600 }).expect(200);
      const until = t.clock.now() + 3600;
      await post(mod, `/user/${user2.blindedId}/ban`, { rooms: ['lobby'] }).expect(200);
      const res = await get(mod, '/room/lobby/bans').expect(200);
      expect(res.body).toEqual(
        [
          { session_id: user.blindedId, until: about(until) },
          { session_id: user2.blindedId, until: null },
        ].sort((a, b) => a.session_id.localeCompare(b.session_id)),
      );
      expect((await get(user, '/room/lobby/bans')).status).toBe(403);

      const victim = t.newClient();
      await signed(t.server, victim, 'GET', '/capabilities').expect(200);
      await post(gmod, `/user/${victim.blindedId}/ban`, { global: true, timeout: 60 }).expect(200);
      expect((await get(gmod, '/moderation/bans').expect(200)).body).toEqual([{ session_id: victim.blindedId, until: about(t.clock.now() + 60) }]);
      expect((await get(mod, '/moderation/bans')).status).toBe(403);
      await post(mod, `/user/${user.blindedId}/unban`, { rooms: ['lobby'] }).expect(200);
      await post(mod, `/user/${user2.blindedId}/unban`, { rooms: ['lobby'] }).expect(200);
    });

    it('GET /room/{token}/users lists users active in the window, most recent first', async () => {
      const room = await t.app.get(RoomsService).create({ token: 'quiet' });
      await t.app.get(ModerationService).setModerator(system, mod.blindedId, { rooms: [room] }, { moderator: true });
      await get(user, '/room/quiet/messages/recent').expect(200);
      const userSeen = t.clock.now();
      t.clock.advance(2 * 86400);
      await get(user2, '/room/quiet/messages/recent').expect(200);
      const user2Seen = t.clock.now();
      const list = async (q: string) => (await get(mod, `/room/quiet/users${q}`).expect(200)).body;
      // The moderator's own reads do not count as activity here: they only list the room.
      expect(await list('')).toEqual([
        { session_id: user2.blindedId, last_active: about(user2Seen) },
        { session_id: user.blindedId, last_active: about(userSeen) },
      ]);
      expect(await list('?active_days=1')).toEqual([{ session_id: user2.blindedId, last_active: about(user2Seen) }]);
      expect(await list('?limit=1')).toEqual([{ session_id: user2.blindedId, last_active: about(user2Seen) }]);
      for (const q of ['?active_days=x', '?limit=1e3']) expect((await get(mod, `/room/quiet/users${q}`)).status).toBe(400);
      expect((await get(user, '/room/quiet/users')).status).toBe(403);
    });
  });

  describe('admin CLI', () => {
    it('CLI actions are logged as the admin CLI, and sogs log prints them', async () => {
      expect((await cli(t, 'bans', 'add', user.blindedId, '--room', 'lobby', '--duration', '1h')).code).toBe(0);
      expect((await cli(t, 'rooms', 'update', 'lobby', '--description', 'Hi', '--profanity', 'on')).code).toBe(0);
      const [update, ban] = await roomLog();
      expect(update).toEqual(entry('update_room', t.serverKey.systemSessionId, null, { description: 'Hi', profanity_filter: true }));
      // The CLI runs on the real clock, not the test's.
      expect(ban).toEqual(entry('ban', t.serverKey.systemSessionId, user, { until: about(ban.at + 3600) }));

      const r = await cli(t, 'log', '--room', 'lobby', '--limit', '2');
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')).toEqual([
        `#${update.id} ${formatTime(update.at)} update_room lobby by (admin CLI) {"description":"Hi","profanity_filter":true}`,
        `#${ban.id} ${formatTime(ban.at)} ban lobby by (admin CLI) → ${user.blindedId} {"until":${ban.details.until}}`,
      ]);
      const paged = await cli(t, 'log', '--room', 'lobby', '--limit', '1', '--before', String(update.id));
      expect(paged.stdout).toBe(r.stdout.split('\n')[1]);
      expect((await cli(t, 'log', '--limit', 'lots')).code).toBe(2);
      expect((await cli(t, 'bans', 'remove', user.blindedId, '--room', 'lobby')).code).toBe(0);
    });

    it('permissions schedule and list: scheduled changes from the CLI', async () => {
      const target = t.newClient();
      await signed(t.server, target, 'GET', '/capabilities').expect(200);
      const r = await cli(t, 'permissions', 'schedule', '--room', 'lobby', '--user', target.blindedId, '--in', '1h', '--revoke', 'w', '--grant', 'u');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Scheduled write=no upload=yes for ${target.blindedId} in lobby at \\S+Z$`));
      const [future] = (await get(mod, `/room/lobby/futurePermissions/${target.blindedId}`).expect(200)).body;
      expect(future).toEqual({ at: expect.any(Number), write: false, upload: true });
      const [logged] = await roomLog();
      expect(logged).toEqual(entry('schedule_permissions', t.serverKey.systemSessionId, target, { at: future.at, write: false, upload: true }));
      const listed = await cli(t, 'permissions', 'list', '--room', 'lobby');
      expect(listed.stdout.split('\n')).toContain(`${target.blindedId} at ${formatTime(future.at)}: write=no upload=yes`);
      for (const args of [['--revoke', 'a', '--in', '1h'], ['--revoke', 'w'], ['--in', '1h']]) {
        const bad = await cli(t, 'permissions', 'schedule', '--room', 'lobby', '--user', target.blindedId, ...args);
        expect(bad.code).toBe(2);
      }
    });

    it('messages delete-all removes a user\'s messages from the CLI, and is logged', async () => {
      const target = t.newClient();
      await signed(t.server, target, 'GET', '/capabilities').expect(200);
      await say(target, other);
      await say(target, other);
      const r = await cli(t, 'messages', 'delete-all', target.blindedId, '--room', 'other');
      expect(r).toEqual({ code: 0, stdout: `Deleted 2 messages of ${target.blindedId} in other`, stderr: '' });
      const [logged] = (await get(gmod, '/room/other/moderation/log').expect(200)).body;
      expect(logged).toEqual(entry('delete_all', t.serverKey.systemSessionId, target, { messages: 2 }, 'other'));
      const recent = (await get(user2, '/room/other/messages/recent').expect(200)).body as Json[];
      expect(recent.some((m) => m.session_id === target.blindedId)).toBe(false);
      const unknown = `15${'ab'.repeat(32)}`;
      expect((await cli(t, 'messages', 'delete-all', unknown, '--all-rooms')).stdout).toBe(`No messages of ${unknown}: this server has never seen that user`);
      expect((await cli(t, 'messages', 'delete-all', 'nobody', '--room', 'other')).code).toBe(2);
      expect((await cli(t, 'messages', 'delete-all', target.blindedId)).code).toBe(2);
    });

    it('room creation and deletion are logged server-wide', async () => {
      expect((await cli(t, 'rooms', 'add', 'temp', '--name', 'Temporary')).code).toBe(0);
      expect((await cli(t, 'rooms', 'delete', 'temp', '--yes')).code).toBe(0);
      const [deleted] = (await get(gmod, '/moderation/log?limit=1').expect(200)).body;
      expect(deleted).toEqual(entry('delete_room', t.serverKey.systemSessionId, null, { token: 'temp', name: 'Temporary' }, null));
      const out = (await cli(t, 'log', '--limit', '1')).stdout;
      expect(out).toMatch(/^#\d+ \S+ delete_room \(server\) by \(admin CLI\) \{"name":"Temporary","token":"temp"\}$/);
    });
  });

  it('the cleanup drops entries older than SOGS_MODERATION_LOG_DAYS', async () => {
    const before = (await roomLog(lobby, '?limit=1000')).length;
    expect(before).toBeGreaterThan(0);
    t.clock.advance(366 * 86400);
    await post(mod, `/user/${user.blindedId}/ban`, { rooms: ['lobby'] }).expect(200);
    await t.app.get(CleanupService).runOnce();
    // Left: the new ban, and the change scheduled from the CLI above, which came due meanwhile.
    const [applied, ban] = await roomLog(lobby, '?limit=1000');
    expect(await roomLog(lobby, '?limit=1000')).toEqual([applied, ban]);
    expect(ban).toEqual(entry('ban', mod, user, { until: null }));
    expect(applied).toMatchObject({ action: 'set_permissions', actor: null, details: { scheduled: true } });
  });
});
