/**
 * `sogs import-pysogs`: a session-pysogs database (the fixture of test/support/pysogs-reference.ts,
 * as SQLite and, on PostgreSQL test runs, as a PostgreSQL reference) is imported into a fresh data
 * directory and database; the imported server then answers over HTTP with what the reference held:
 * rooms, staff, messages (padded bytes, edits, tombstones, whispers, reactions), pins, permissions,
 * bans, scheduled changes, DMs and files, signed by the reference's users with their blinded keys.
 * New posts and uploads continue the reference's counters and ids.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CleanupService } from '../../src/jobs/cleanup.service';
import { binaryBody } from '../support/binary-body';
import { runCommand } from '../support/cli-runner';
import { serveInProcess } from '../support/serve-in-process';
import {
  buildReferenceFixture,
  createPgReference,
  FixtureUserName,
  MessageRow,
  padded,
  ReferenceFixture,
  RoomRow,
  writeReferenceKey,
  writeReferenceUploads,
  writeSqliteReference,
} from '../support/pysogs-reference';
import { SessionClient, signed } from '../support/session-client';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { testPostgresUrl } from '../support/test-env';

type Json = Record<string, any>;
type Server = Parameters<typeof signed>[0];

const BASE_URL = 'http://sogs.example.org';
const DAY = 86_400;

/** The imported server, started in this process as main.ts would start it. */
interface ImportedServer {
  server: Server;
  publicKey: string;
  /** One round of the periodic cleanup, as the server runs it every 10 s. */
  runCleanup(): Promise<void>;
  /** SQL on the imported database, for what no endpoint shows (message history, nonces). */
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

async function serve(env: Record<string, string>, database: TestDatabase): Promise<ImportedServer> {
  const served = await serveInProcess({ SOGS_BASE_URL: BASE_URL, ...env });
  return {
    ...served,
    query: (sql, params) => database.query(sql, params),
    runCleanup: async () => {
      expect(await served.app.get(CleanupService, { strict: false }).runOnce()).toBe(true);
    },
  };
}

const importPysogs = (args: string[], env: Record<string, string>) => runCommand(['import-pysogs', ...args], env);

/** A reference on disk: its uploads directory and key file, beside the database. */
function referenceFiles(scratch: string, f: ReferenceFixture): { uploads: string; key: string } {
  const uploads = path.join(scratch, 'reference', 'uploads');
  const key = path.join(scratch, 'reference', 'key_x25519');
  writeReferenceUploads(uploads, f);
  writeReferenceKey(key, f);
  return { uploads, key };
}

function expectImported(r: { code: number; stdout: string; stderr: string }): void {
  expect(r).toMatchObject({ code: 0, stderr: '' });
  const table = r.stdout.split('\n').filter((l) => /^\s+(users|rooms|messages|files|inbox|needs_blinding)\s/.test(l));
  expect(table).toHaveLength(6);
  for (const line of table) expect(line).toMatch(/ ok$/);
  expect(r.stdout).toContain('Done.');
}

// ---------------------------------------------------------------------------------------------
// What the fixture says the server must answer (§6.1, §7, §8), computed from its rows alone.

const rowOf = (f: ReferenceFixture, name: FixtureUserName) => f.tables.users.find((u) => u.id === f.users[name].id)!;
const sessionIdOf = (f: ReferenceFixture, userId: number) => f.tables.users.find((u) => u.id === userId)!.session_id;
const b64 = (b: Buffer) => b.toString('base64');
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Perms {
  read: boolean;
  accessible: boolean;
  write: boolean;
  upload: boolean;
  banned: boolean;
  moderator: boolean;
  admin: boolean;
  globalModerator: boolean;
  globalAdmin: boolean;
}

/** §8.3, for a viewer who is a fixture user (null: anonymous). */
function permsOf(f: ReferenceFixture, room: RoomRow, viewer: FixtureUserName | null): Perms {
  const defaults = { read: room.read, accessible: room.read || room.accessible, write: room.write, upload: room.write && room.upload };
  const none = { banned: false, moderator: false, admin: false, globalModerator: false, globalAdmin: false };
  if (!viewer) return { ...defaults, ...none };
  const u = rowOf(f, viewer);
  const o = f.tables.user_permission_overrides.find((x) => x.room === room.id && x.user === u.id);
  const admin = u.admin || !!o?.admin;
  const moderator = admin || u.moderator || !!o?.moderator;
  const roles = { moderator, admin, globalModerator: u.moderator, globalAdmin: u.admin };
  if (moderator) return { read: true, accessible: true, write: true, upload: true, banned: false, ...roles };
  if (u.banned || o?.banned) return { read: false, accessible: false, write: false, upload: false, banned: true, ...roles };
  const read = o?.read ?? room.read;
  const write = o?.write ?? room.write;
  return { read, accessible: read || (o?.accessible ?? room.accessible), write, upload: write && (o?.upload ?? room.upload), banned: false, ...roles };
}

/** Everyone moderating a room, merged per person (room row first); the system user is never listed. */
function staffOf(f: ReferenceFixture, room: RoomRow): Array<{ session_id: string; admin: boolean; visible: boolean; global: boolean }> {
  return f.tables.users
    .filter((u) => u.id !== f.users.system.id)
    .map((u) => ({ u, o: f.tables.user_permission_overrides.find((x) => x.room === room.id && x.user === u.id) }))
    .filter(({ u, o }) => u.moderator || o?.moderator)
    .map(({ u, o }) => ({
      session_id: u.session_id,
      admin: u.admin || !!o?.admin,
      visible: o?.moderator ? o.visible_mod : u.visible_mod,
      global: u.moderator && !o?.moderator,
    }))
    .sort((a, b) => byCodePoint(a.session_id, b.session_id));
}

function roomInfo(f: ReferenceFixture, room: RoomRow, viewer: FixtureUserName | null): Json {
  const p = permsOf(f, room, viewer);
  const staff = staffOf(f, room);
  const list = (admin: boolean, visible: boolean) => staff.filter((s) => s.admin === admin && s.visible === visible).map((s) => s.session_id);
  const pins = f.tables.pinned_messages
    .filter((x) => x.room === room.id)
    .sort((a, b) => a.pinned_at - b.pinned_at)
    .map((x) => ({ id: x.message, pinned_at: x.pinned_at, pinned_by: sessionIdOf(f, x.pinned_by) }));
  const info: Json = {
    token: room.token,
    name: room.name,
    info_updates: room.info_updates,
    message_sequence: room.message_sequence,
    created: room.created,
    active_users: room.active_users,
    active_users_cutoff: 7 * DAY,
    moderators: list(false, true),
    admins: list(true, true),
    read: p.read,
    write: p.write,
    upload: p.upload,
  };
  if (room.description !== null) info.description = room.description;
  if (room.image !== null) info.image_id = room.image;
  if (pins.length) info.pinned_messages = pins;
  if (p.moderator) {
    if (list(false, false).length) info.hidden_moderators = list(false, false);
    if (list(true, false).length) info.hidden_admins = list(true, false);
    Object.assign(info, { moderator: true, default_read: room.read, default_accessible: room.accessible, default_write: room.write, default_upload: room.upload });
  }
  if (p.admin) info.admin = true;
  if (p.globalModerator) info.global_moderator = true;
  if (p.globalAdmin) info.global_admin = true;
  return info;
}

function reactionsOf(f: ReferenceFixture, m: MessageRow, viewer: FixtureUserName | null, reactors: number): Json {
  const out: Json = {};
  const viewerId = viewer ? f.users[viewer].id : null;
  for (const r of f.tables.reactions.filter((x) => x.message === m.id).sort((a, b) => a.id - b.id)) {
    const by = f.tables.user_reactions.filter((x) => x.reaction === r.id).sort((a, b) => a.at - b.at);
    const summary: Json = { index: Object.keys(out).length, count: by.length };
    if (reactors > 0) summary.reactors = by.slice(0, reactors).map((x) => sessionIdOf(f, x.user));
    if (by.some((x) => x.user === viewerId)) summary.you = true;
    out[r.reaction] = summary;
  }
  return out;
}

function messageJson(f: ReferenceFixture, m: MessageRow, viewer: FixtureUserName | null, reactors: number): Json {
  const out: Json = { id: m.id, session_id: sessionIdOf(f, m.user), posted: m.posted, seqno: m.seqno };
  if (m.data === null) Object.assign(out, { data: null, deleted: true });
  else Object.assign(out, { data: b64(padded(m.data, m.data_size)), signature: b64(m.signature!) });
  if (m.edited !== null) out.edited = m.edited;
  if (m.whisper !== null || m.whisper_mods) {
    Object.assign(out, { whisper: true, whisper_mods: m.whisper_mods });
    if (m.whisper !== null) out.whisper_to = sessionIdOf(f, m.whisper);
  }
  if (m.data !== null) out.reactions = reactionsOf(f, m, viewer, reactors);
  return out;
}

/** §7.4 `since/{S}` as the viewer sees it; `t=r` adds reaction-only updates. */
function since(f: ReferenceFixture, room: RoomRow, viewer: FixtureUserName | null, s: number, opts: { r: boolean; reactors: number }): Json[] {
  const p = permsOf(f, room, viewer);
  const me = viewer ? f.users[viewer].id : null;
  const visible = (m: MessageRow) =>
    !m.filtered && ((m.whisper === null && !m.whisper_mods) || (me !== null && m.whisper === me) || (p.moderator && (m.whisper_mods || m.user === me)));
  return f.tables.messages
    .filter((m) => m.room === room.id && visible(m) && m.seqno > s && (opts.r || m.seqno_data > s) && (m.data !== null || m.seqno_creation <= s))
    .sort((a, b) => a.seqno - b.seqno)
    .map((m) =>
      opts.r && m.seqno_reactions > s && s >= m.seqno_data ? { id: m.id, seqno: m.seqno, reactions: reactionsOf(f, m, viewer, opts.reactors) } : messageJson(f, m, viewer, opts.reactors),
    );
}

function dmJson(f: ReferenceFixture, id: number): Json {
  const dm = f.tables.inbox.find((x) => x.id === id)!;
  return { id, posted_at: dm.posted_at, expires_at: dm.expiry, sender: sessionIdOf(f, dm.sender), recipient: sessionIdOf(f, dm.recipient), message: b64(dm.body) };
}

// ---------------------------------------------------------------------------------------------
// The checks, the same for every kind of reference

/**
 * Declares the checks of an imported server, in order: reads first, then the cleanup round,
 * then what changes the server (needs_blinding users appearing, new posts and uploads).
 */
function importedServerChecks(target: () => ImportedServer, fixture: () => ReferenceFixture): void {
  let s: ImportedServer;
  let f: ReferenceFixture;
  const client = (name: FixtureUserName | null): SessionClient | null => (name ? f.users[name].client : null);
  const get = async (who: FixtureUserName | null, url: string, status = 200) => (await signed(s.server, client(who), 'GET', url).expect(status)).body;
  const status = async (who: FixtureUserName | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, opts: Parameters<typeof signed>[4] = {}) =>
    (await signed(s.server, client(who), method, url, opts)).status;
  const newPost = () => ({ json: { data: randomBytes(60).toString('base64'), signature: randomBytes(64).toString('base64') } });

  beforeAll(() => {
    s = target();
    f = fixture();
  });

  it("serves with the reference's key", () => {
    expect(s.publicKey).toBe(f.serverPublicKey.toString('hex'));
  });

  it('keeps what no endpoint shows (checked before any request adds to it): message history as bytes, nonces, activity, pending blindings', async () => {
    const history = await s.query(`SELECT message, replaced, data, signature FROM message_history ORDER BY message, replaced`);
    expect(history).toEqual(f.tables.message_history);
    const nonces = await s.query(`SELECT "user", nonce, expiry FROM user_request_nonces ORDER BY expiry`);
    expect(nonces).toEqual(f.tables.user_request_nonces);
    expect(await s.query(`SELECT room, "user", last_active FROM room_users ORDER BY room, "user"`)).toEqual(
      [...f.tables.room_users].sort((a, b) => a.room - b.room || a.user - b.user),
    );
    expect(await s.query(`SELECT blinded_abs, "user" FROM needs_blinding ORDER BY "user"`)).toEqual(f.tables.needs_blinding);
    expect(await s.query(`SELECT id, session_id FROM users WHERE id = 0`)).toEqual([{ id: 0, session_id: f.systemSessionId }]);
    expect(await s.query(`SELECT count(*)::int AS n FROM users WHERE id = $1`, [f.users.system.id])).toEqual([{ n: 0 }]);
  });

  it('lists the rooms each caller may see, with counters, staff, pins and permissions as the reference had them', async () => {
    const sortByToken = (rooms: Json[]) => [...rooms].sort((a, b) => byCodePoint(a.token, b.token));
    const rooms = Object.values(f.rooms);
    for (const viewer of [null, 'alice', 'carol', 'gadmin', 'rmod', 'mallory'] as const) {
      const expected = rooms.filter((r) => permsOf(f, r, viewer).accessible).map((r) => roomInfo(f, r, viewer));
      expect([viewer, sortByToken(await get(viewer, '/rooms'))]).toEqual([viewer, sortByToken(expected)]);
    }
    expect((await get('alice', '/rooms')).map((r: Json) => r.token).sort()).toEqual(['Annex', 'lobby', 'vip']);
    expect((await get('gadmin', '/rooms')).map((r: Json) => r.token).sort()).toEqual(['Annex', 'lobby', 'secret', 'vip']);
  });

  it('answers GET /room/{token} for every kind of caller; hidden staff only for moderators', async () => {
    const viewers = [null, 'alice', 'bob', 'carol', 'dave', 'frank', 'rmod', 'hmod', 'radmin', 'hadmin', 'gmod', 'gadmin'] as const;
    for (const room of Object.values(f.rooms)) {
      for (const viewer of viewers) {
        if (!permsOf(f, room, viewer).accessible) {
          expect([room.token, viewer, await status(viewer, 'GET', `/room/${room.token}`)]).toEqual([room.token, viewer, 404]);
          continue;
        }
        expect([room.token, viewer, await get(viewer, `/room/${room.token}`)]).toEqual([room.token, viewer, roomInfo(f, room, viewer)]);
      }
    }
    // Spot checks of what the expectation above is made of.
    const lobby = await get('rmod', '/room/lobby');
    expect(lobby).toMatchObject({ image_id: 1, message_sequence: 17, active_users: 3, moderator: true });
    expect(lobby.hidden_moderators).toEqual([f.users.gmod.sessionId, f.users.hmod.sessionId].sort(byCodePoint));
    expect(lobby.hidden_admins).toEqual([f.users.hadmin.sessionId]);
    expect(lobby.admins).toEqual([f.users.gadmin.sessionId, f.users.radmin.sessionId].sort(byCodePoint));
    expect(lobby.moderators).toContain(f.users.pendmod.sessionId); // a 05 id until that user signs blinded
    const [pin10, pin1] = f.tables.pinned_messages;
    expect(lobby.pinned_messages).toEqual([
      { id: 10, pinned_at: pin10.pinned_at, pinned_by: f.users.radmin.sessionId },
      { id: 1, pinned_at: pin1.pinned_at, pinned_by: f.systemSessionId }, // the reference's system user is this server's
    ]);
    expect(await get('alice', '/room/vip')).toMatchObject({ read: true, write: true, upload: false });
    expect(await get('bob', '/room/vip')).toMatchObject({ read: false, write: false, upload: false });
    expect(await get('dave', '/room/lobby')).toMatchObject({ read: true, write: true, upload: false });
  });

  it('returns every message once from seqno 0, with padded bytes, edits, whispers only to their readers, reactions in order', async () => {
    const q = '?t=r&reactors=20';
    for (const viewer of [null, 'alice', 'bob', 'frank', 'rmod', 'hmod', 'gadmin'] as const) {
      for (const room of [f.rooms.lobby, f.rooms.annex]) {
        expect([room.token, viewer, await get(viewer, `/room/${room.token}/messages/since/0${q}`)]).toEqual([
          room.token,
          viewer,
          since(f, room, viewer, 0, { r: true, reactors: 20 }),
        ]);
      }
    }
    expect(await get('bob', '/room/lobby/messages/since/0')).toEqual(since(f, f.rooms.lobby, 'bob', 0, { r: false, reactors: 4 }));
    for (const viewer of ['alice', 'gadmin'] as const) {
      expect(await get(viewer, `/room/vip/messages/since/0${q}`)).toEqual(since(f, f.rooms.vip, viewer, 0, { r: true, reactors: 20 }));
    }
    // Together, a user and a moderator see every lobby message that was ever public or whispered.
    const seen = new Set([...(await get('alice', `/room/lobby/messages/since/0${q}`)), ...(await get('gadmin', `/room/lobby/messages/since/0${q}`))].map((m: Json) => m.id));
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 4, 5, 7, 8, 10, 12]);
    const lobby = await get('alice', `/room/lobby/messages/since/0${q}`);
    const m1 = lobby.find((m: Json) => m.id === 1);
    expect(Buffer.from(m1.data, 'base64')).toEqual(padded(f.tables.messages[0].data!, f.tables.messages[0].data_size));
    expect(m1.reactions['👍']).toEqual({ index: 0, count: 3, reactors: ['bob', 'alice', 'gadmin'].map((n) => f.users[n as FixtureUserName].sessionId), you: true });
    expect(m1.reactions['🎉']).toMatchObject({ index: 1, count: 1 });
    expect(lobby.find((m: Json) => m.id === 2).data).toBe(b64(f.tables.messages[1].data!)); // stored without padding: returned as is
    expect(lobby.find((m: Json) => m.id === 5)).toMatchObject({ edited: f.tables.messages[4].edited, seqno: 10 });
    expect(lobby.find((m: Json) => m.id === 7)).toMatchObject({ whisper: true, whisper_mods: false, whisper_to: f.users.alice.sessionId });
    expect(lobby.some((m: Json) => m.id === 6 || m.id === 9)).toBe(false); // deleted before the client's seqno; filtered
  });

  it('from a seqno in the middle: edits, a tombstone, reaction-only updates and new messages', async () => {
    for (const viewer of ['alice', 'rmod', null] as const) {
      expect([viewer, await get(viewer, '/room/lobby/messages/since/5?t=r&reactors=20')]).toEqual([viewer, since(f, f.rooms.lobby, viewer, 5, { r: true, reactors: 20 })]);
      expect([viewer, await get(viewer, '/room/lobby/messages/since/5')]).toEqual([viewer, since(f, f.rooms.lobby, viewer, 5, { r: false, reactors: 4 })]);
    }
    const middle = await get('alice', '/room/lobby/messages/since/5?t=r');
    expect(middle.find((m: Json) => m.id === 6)).toEqual({
      id: 6,
      session_id: f.users.bob.sessionId,
      posted: f.tables.messages[5].posted,
      seqno: 11,
      data: null,
      deleted: true,
      edited: f.tables.messages[5].edited,
    });
    expect(middle.find((m: Json) => m.id === 1)).toEqual({ id: 1, seqno: 15, reactions: expect.any(Object) }); // reactions only
    expect(middle.map((m: Json) => m.seqno)).toEqual([...middle.map((m: Json) => m.seqno)].sort((a, b) => a - b));
    expect(await get('alice', '/room/lobby/messages/since/17')).toEqual([]);
  });

  it('enforces the imported permissions and bans', async () => {
    expect(await status('carol', 'POST', '/room/lobby/message', newPost())).toBe(403); // write = false
    expect(await status('dave', 'POST', '/room/lobby/file', { body: Buffer.from('x') })).toBe(403); // upload = false
    expect(await status('bob', 'GET', '/room/vip/messages/since/0')).toBe(403); // room default read = false
    expect(await status('bob', 'POST', '/room/vip/message', newPost())).toBe(403);
    for (const banned of ['mallory', 'trudy'] as const) {
      expect([banned, await status(banned, 'GET', '/room/lobby')]).toEqual([banned, 404]);
      expect([banned, await status(banned, 'GET', '/room/lobby/messages/since/0')]).toEqual([banned, 403]);
      expect([banned, await status(banned, 'POST', '/room/lobby/message', newPost())]).toEqual([banned, 403]);
      expect([banned, await status(banned, 'GET', '/room/annex')]).toEqual([banned, 200]); // a room ban only
    }
    for (const url of ['/room/annex', '/rooms', '/inbox']) expect([url, await status('eve', 'GET', url)]).toEqual([url, 403]); // global ban
    expect(await status('alice', 'GET', '/room/lobby/permissions')).toBe(403);
    expect(await status(null, 'GET', '/room/secret')).toBe(404);
  });

  it('shows the overrides, bans and scheduled changes to moderators', async () => {
    const lobby = f.rooms.lobby;
    const summaries: Json = {};
    for (const o of f.tables.user_permission_overrides.filter((x) => x.room === lobby.id)) {
      const sm: Json = {};
      for (const k of ['read', 'accessible', 'write', 'upload'] as const) if (o[k] !== null) sm[k] = o[k];
      if (o.banned) sm.banned = true;
      if (o.admin) sm.admin = true;
      else if (o.moderator) sm.moderator = true;
      if ((o.admin || o.moderator) && !o.visible_mod) sm.hidden = true;
      summaries[sessionIdOf(f, o.user)] = sm;
    }
    expect(await get('rmod', '/room/lobby/permissions')).toEqual(summaries);
    expect(await get('rmod', `/room/lobby/permissions/${f.users.carol.sessionId}`)).toEqual({ write: false });

    const futures = (room: RoomRow) =>
      [
        ...f.tables.user_permission_futures
          .filter((x) => x.room === room.id)
          .map((x) => ({ session_id: sessionIdOf(f, x.user), at: x.at, ...Object.fromEntries((['read', 'write', 'upload'] as const).filter((k) => x[k] !== null).map((k) => [k, x[k]])) })),
        ...f.tables.user_ban_futures.filter((x) => x.room === room.id).map((x) => ({ session_id: sessionIdOf(f, x.user), at: x.at, banned: x.banned })),
      ].sort((a, b) => a.at - b.at);
    expect(await get('rmod', '/room/lobby/futurePermissions')).toEqual(futures(lobby));
    expect(futures(lobby)).toHaveLength(3);
    expect(await get('gadmin', '/room/annex/futurePermissions')).toEqual(futures(f.rooms.annex));

    const banFuture = f.tables.user_ban_futures[0];
    expect(await get('rmod', '/room/lobby/bans')).toEqual(
      [
        { session_id: f.users.mallory.sessionId, until: null },
        { session_id: f.users.trudy.sessionId, until: banFuture.at },
      ].sort((a, b) => byCodePoint(a.session_id, b.session_id)),
    );
    expect(await get('gmod', '/moderation/bans')).toEqual([{ session_id: f.users.eve.sessionId, until: null }]);
    expect(await get('rmod', '/room/lobby/moderators')).toEqual(staffOf(f, lobby));
  });

  it('serves the files with their bytes and names: attachments, the room image, an empty upload', async () => {
    const dispositions: Record<number, string> = {
      1: "attachment; filename*=UTF-8''lobby-logo.png",
      2: "attachment; filename*=UTF-8''cat%20photo.jpg",
      3: "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20%28final%29.pdf",
      4: 'attachment',
    };
    for (const file of f.tables.files) {
      const token = Object.values(f.rooms).find((r) => r.id === file.room)!.token;
      const res = await signed(s.server, client('bob'), 'GET', `/room/${token}/file/${file.id}`).buffer(true).parse(binaryBody).expect(200);
      const bytes = f.uploads[f.tables.files.indexOf(file)].bytes;
      expect([file.id, (res.body as Buffer).equals(bytes), res.headers['content-length']]).toEqual([file.id, true, String(bytes.length)]);
      expect([file.id, res.headers['content-disposition']]).toEqual([file.id, dispositions[file.id]]);
      expect([file.id, res.headers.date]).toEqual([file.id, new Date(file.uploaded * 1000).toUTCString()]);
      expect([file.id, res.headers.expires]).toEqual([file.id, file.expiry === null ? undefined : new Date(file.expiry * 1000).toUTCString()]);
    }
    expect((await get('alice', '/room/lobby')).image_id).toBe(1);
    expect(await status('bob', 'GET', '/room/annex/file/2')).toBe(404); // another room's file
    expect(await status('bob', 'GET', '/room/vip/file/1')).toBe(403);
  });

  it('has the DMs; the cleanup round removes the expired one and nothing else', async () => {
    expect((await get('alice', '/inbox')).map((m: Json) => m.id)).toEqual([2, 3]); // copied as they were
    await s.runCleanup();
    expect(await get('alice', '/inbox')).toEqual([dmJson(f, 3)]);
    expect(await get('alice', '/outbox')).toEqual([dmJson(f, 1)]);
    expect(await get('bob', '/inbox')).toEqual([dmJson(f, 1)]);
    expect(await get('bob', '/outbox')).toEqual([dmJson(f, 3)]);
    expect((await signed(s.server, client('bob'), 'GET', '/inbox/since/1')).status).toBe(304);
    // Nothing else was due: the scheduled changes and files are still there.
    expect(await get('rmod', '/room/lobby/futurePermissions')).toHaveLength(3);
    expect(await status('trudy', 'GET', '/room/lobby')).toBe(404);
    expect(await status('bob', 'GET', '/room/annex/file/4')).toBe(200);
  });

  it('gives a needs_blinding user their role when they first sign with their blinded key', async () => {
    const pendmod = f.users.pendmod.client!;
    expect(await get('pendmod', '/room/lobby')).toMatchObject({ moderator: true, read: true, write: true });
    expect(await status('pendmod', 'GET', '/room/lobby/permissions')).toBe(200);
    const moderators = (await get('rmod', '/room/lobby/moderators')).map((m: Json) => m.session_id);
    expect(moderators).toContain(pendmod.blindedId);
    expect(moderators).not.toContain(pendmod.sessionId);
    const shown = await get('alice', '/room/lobby');
    expect(shown.moderators).toContain(pendmod.blindedId);
    expect(shown.moderators).not.toContain(pendmod.sessionId);
    expect(await get('pendgmod', '/room/secret')).toMatchObject({ moderator: true, global_moderator: true });
    expect(await status('pendgmod', 'GET', '/moderation/bans')).toBe(200);
  });

  it('continues the room sequence and the message and file ids after the imported ones', async () => {
    const lobby = f.rooms.lobby;
    const maxMessage = Math.max(...f.tables.messages.map((m) => m.id));
    const posted = (await signed(s.server, client('alice'), 'POST', '/room/lobby/message', newPost()).expect(201)).body;
    expect(posted.seqno).toBe(lobby.message_sequence + 1);
    expect(posted.id).toBeGreaterThan(maxMessage);
    expect((await get('alice', `/room/lobby/messages/since/${lobby.message_sequence}`)).map((m: Json) => m.id)).toEqual([posted.id]);
    const inAnnex = (await signed(s.server, client('bob'), 'POST', '/room/annex/message', newPost()).expect(201)).body;
    expect(inAnnex.seqno).toBe(f.rooms.annex.message_sequence + 1);
    expect(inAnnex.id).toBe(posted.id + 1);

    const maxFile = Math.max(...f.tables.files.map((x) => x.id));
    const up = (await signed(s.server, client('alice'), 'POST', '/room/lobby/file', { body: randomBytes(100) }).expect(201)).body;
    expect(up.id).toBeGreaterThan(maxFile);

    const reacted = (await signed(s.server, client('frank'), 'PUT', `/room/lobby/reaction/1/${encodeURIComponent('👍')}`).expect(200)).body;
    expect(reacted.seqno).toBe(lobby.message_sequence + 2);
    const m1 = await get('frank', '/room/lobby/message/1');
    expect(m1.reactions['👍']).toMatchObject({ index: 0, count: 4, you: true });
    // A reaction no message had yet: a new reactions row, numbered after the imported ones.
    await signed(s.server, client('frank'), 'PUT', `/room/lobby/reaction/2/${encodeURIComponent('🔥')}`).expect(200);
    expect((await get('bob', '/room/lobby/message/2')).reactions).toEqual({ '🔥': { index: 0, count: 1, reactors: [f.users.frank.sessionId] } });
    const [fire] = await s.query<{ id: number }>(`SELECT id FROM reactions WHERE reaction = '🔥'`);
    expect(fire.id).toBeGreaterThan(Math.max(...f.tables.reactions.map((r) => r.id))); // (the 👍 upsert above may have used one)

    const dm = (await signed(s.server, client('bob'), 'POST', `/inbox/${f.users.alice.sessionId}`, { json: { message: randomBytes(20).toString('base64') } }).expect(201)).body;
    expect(dm.id).toBeGreaterThan(Math.max(...f.tables.inbox.map((x) => x.id)));
  });
}

// ---------------------------------------------------------------------------------------------

describe('sogs import-pysogs from a SQLite reference', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-import-'));
  let fixture: ReferenceFixture;
  let database: TestDatabase;
  let imported: ImportedServer;

  beforeAll(async () => {
    fixture = await buildReferenceFixture();
    const sogsDb = path.join(scratch, 'reference', 'sogs.db');
    await writeSqliteReference(sogsDb, fixture);
    const { uploads, key } = referenceFiles(scratch, fixture);
    database = await openTestDatabase({ migrate: false });
    const dataDir = path.join(scratch, 'imported'); // does not exist yet: the import makes it
    const env = { SOGS_DATA_DIR: dataDir, DATABASE_URL: database.connection.url };
    const r = await importPysogs(['--from', sogsDb, '--uploads', uploads, '--key', key, '--batch-rows', '3'], env);
    expectImported(r);
    expect(fs.readFileSync(path.join(dataDir, 'key_x25519'))).toEqual(fixture.serverPrivateKey);
    imported = await serve(env, database);
  }, 120_000);

  afterAll(async () => {
    await imported?.close().catch(() => undefined);
    await database?.close().catch(() => undefined);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  importedServerChecks(
    () => imported,
    () => fixture,
  );
});

const onPostgres = testPostgresUrl() !== undefined;
// Jest lists nothing of a describe whose tests are all skipped: say why here.
if (!onPostgres) console.info('import-pysogs.spec.ts: the PostgreSQL reference is imported on PostgreSQL test runs only (TEST_DATABASE_URL)');
(onPostgres ? describe : describe.skip)('sogs import-pysogs from a PostgreSQL reference', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-import-pg-'));
  let fixture: ReferenceFixture;
  let reference: TestDatabase;
  let database: TestDatabase;
  let imported: ImportedServer;

  beforeAll(async () => {
    fixture = await buildReferenceFixture();
    reference = await openTestDatabase({ migrate: false });
    await createPgReference(reference.connection.url, fixture);
    // Both text forms of the history's bytes are there to be read (hex, and bytea_output = escape).
    const forms = await reference.query<{ hex: boolean; n: number }>(`SELECT left(data, 2) = '\\x' AS hex, count(*)::int AS n FROM message_history GROUP BY 1 ORDER BY 1`);
    expect(forms).toEqual([{ hex: false, n: expect.any(Number) }, { hex: true, n: expect.any(Number) }]);
    const { uploads, key } = referenceFiles(scratch, fixture);
    database = await openTestDatabase({ migrate: false });
    const dataDir = path.join(scratch, 'imported');
    const env = { SOGS_DATA_DIR: dataDir, DATABASE_URL: database.connection.url };
    expectImported(await importPysogs(['--from', reference.connection.url, '--uploads', uploads, '--key', key, '--batch-rows', '2'], env));
    imported = await serve(env, database);
  }, 120_000);

  afterAll(async () => {
    await imported?.close().catch(() => undefined);
    await database?.close().catch(() => undefined);
    await reference?.close().catch(() => undefined);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  importedServerChecks(
    () => imported,
    () => fixture,
  );
});
