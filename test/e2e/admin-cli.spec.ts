import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli } from '../support/cli-runner';
import { createTestApp, TestApp } from '../support/test-app';

const SID_A = '05' + 'a1'.repeat(32);
const BLIND_B = '15' + 'b2'.repeat(32);

describe('admin CLI (in-process, same database as the running app)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Unblinded ids keep this file independent of the blinding maths (tested in the blinding specs).
    t = await createTestApp({ env: { SOGS_REQUIRE_BLIND_KEYS: 'no' } });
  });
  afterAll(() => t.close());

  const q = <T = any>(sql: string, params?: unknown[]) => t.database.query<T>(sql, params);

  it('adds a room and prints its join URL', async () => {
    const r = await cli(t, 'rooms', 'add', 'lobby', '--name', 'Lobby', '--description', 'Hello\\nworld');
    expect(r).toEqual({
      code: 0,
      stdout: `Created room lobby (Lobby)\n  join URL: http://sogs.example.org/lobby?public_key=${t.serverKey.publicKeyHex}`,
      stderr: '',
    });
    const [room] = await q('SELECT token, name, description, read, write, upload, accessible, info_updates FROM rooms');
    expect(room).toEqual({
      token: 'lobby',
      name: 'Lobby',
      description: 'Hello\nworld',
      read: true,
      write: true,
      upload: true,
      accessible: true,
      info_updates: expect.any(Number),
    });
    expect(room.info_updates).toBeGreaterThanOrEqual(1);
  });

  it('refuses a duplicate token ignoring case, with one line and exit 1', async () => {
    const r = await cli(t, 'rooms', 'add', 'LOBBY');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('sogs: a room with token "LOBBY" already exists');
  });

  it('refuses invalid tokens as bad arguments (exit 2)', async () => {
    for (const token of ['has space', 'bad token!', 'x'.repeat(65), 'émoji', '']) {
      const r = await cli(t, 'rooms', 'add', token);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')).toHaveLength(1);
    }
  });

  it('creates a room with revoked default permissions', async () => {
    expect((await cli(t, 'rooms', 'add', 'quiet', '--revoke', 'wu')).code).toBe(0);
    const [room] = await q(`SELECT name, read, write, upload FROM rooms WHERE token = 'quiet'`);
    expect(room).toEqual({ name: 'quiet', read: true, write: false, upload: false });
  });

  it('lists rooms sorted by token ignoring case', async () => {
    await cli(t, 'rooms', 'add', 'Alpha');
    const r = await cli(t, 'rooms', 'list');
    expect(r.code).toBe(0);
    const tokens = r.stdout.split('\n').filter((l) => !l.startsWith(' '));
    expect(tokens).toEqual(['Alpha', 'lobby', 'quiet']);
    expect(r.stdout).toContain('  defaults:     read=yes accessible=yes write=no upload=no');
  });

  it('updates name, description and defaults', async () => {
    const r = await cli(t, 'rooms', 'update', 'LOBBY', '--name', 'The\u0007 Lobby', '--grant', 'w', '--revoke', 'u');
    expect(r.code).toBe(0);
    const [room] = await q(`SELECT name, write, upload FROM rooms WHERE token = 'lobby'`);
    expect(room).toEqual({ name: 'The Lobby', write: true, upload: false });
  });

  it('switches the per-room DM protection', async () => {
    expect((await cli(t, 'rooms', 'update', 'lobby', '--dm-refuse-banned', 'on')).code).toBe(0);
    expect(await q(`SELECT dm_refuse_banned FROM rooms WHERE token = 'lobby'`)).toEqual([{ dm_refuse_banned: true }]);
    const bad = await cli(t, 'rooms', 'update', 'lobby', '--dm-refuse-banned', 'maybe');
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'sogs: --dm-refuse-banned takes on or off, got "maybe"' });
    expect((await cli(t, 'rooms', 'update', 'lobby', '--dm-refuse-banned', 'off')).code).toBe(0);
    expect(await q(`SELECT dm_refuse_banned FROM rooms WHERE token = 'lobby'`)).toEqual([{ dm_refuse_banned: false }]);
  });

  it('adds and removes moderators and admins per room and globally', async () => {
    expect((await cli(t, 'moderators', 'add', SID_A, '--room', 'lobby')).code).toBe(0);
    expect((await cli(t, 'moderators', 'add', BLIND_B, '--global', '--admin')).code).toBe(0);
    const list = await cli(t, 'moderators', 'list', '--room', 'lobby');
    expect(list.stdout).toBe(`${SID_A} moderator\n${BLIND_B} admin hidden global`);
    const [o] = await q(`SELECT o.moderator, o.admin, o.visible_mod FROM user_permission_overrides o JOIN users u ON u.id = o."user" WHERE u.session_id = $1`, [SID_A]);
    expect(o).toEqual({ moderator: true, admin: false, visible_mod: true });
    expect((await cli(t, 'moderators', 'remove', SID_A, '--room', 'lobby')).code).toBe(0);
    expect((await cli(t, 'moderators', 'list', '--room', 'lobby')).stdout).toBe(`${BLIND_B} admin hidden global`);
    // The system user (id 0, the CLI's own hidden admin) is never listed.
    expect((await cli(t, 'moderators', 'list', '--global')).stdout).toBe(`${BLIND_B} admin hidden global`);
    expect((await cli(t, 'moderators', 'remove', BLIND_B, '--global')).code).toBe(0);
    expect((await cli(t, 'moderators', 'list', '--global')).stdout).toBe('No moderators.');
  });

  it('sets and clears per-user permission overrides', async () => {
    expect((await cli(t, 'permissions', 'set', '--room', 'lobby', '--user', SID_A, '--revoke', 'w', '--grant', 'u')).code).toBe(0);
    const row = () =>
      q(`SELECT read, write, upload FROM user_permission_overrides o JOIN users u ON u.id = o."user" WHERE u.session_id = $1`, [SID_A]);
    expect(await row()).toEqual([{ read: null, write: false, upload: true }]);
    expect((await cli(t, 'permissions', 'set', '--room', 'lobby', '--user', SID_A, '--clear', 'wu')).code).toBe(0);
    expect(await row()).toEqual([]);
  });

  it('bans with a duration, lists and unbans', async () => {
    const now = t.clock.now();
    expect((await cli(t, 'bans', 'add', SID_A, '--room', 'lobby', '--duration', '2h')).code).toBe(0);
    const list = await cli(t, 'bans', 'list', '--room', 'lobby');
    expect(list.stdout).toMatch(new RegExp(`^${SID_A} until \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
    const [future] = await q(`SELECT at, banned FROM user_ban_futures`);
    expect(future.banned).toBe(false);
    expect(future.at).toBeGreaterThanOrEqual(now + 7200 - 5);
    expect(future.at).toBeLessThanOrEqual(now + 7200 + 60);
    expect((await cli(t, 'bans', 'add', SID_A, '--global')).code).toBe(0);
    expect((await cli(t, 'bans', 'list', '--global')).stdout).toBe(`${SID_A} until never`);
    expect((await cli(t, 'bans', 'remove', SID_A, '--global')).code).toBe(0);
    expect((await cli(t, 'bans', 'remove', SID_A, '--room', 'lobby')).code).toBe(0);
    expect((await cli(t, 'bans', 'list', '--room', 'lobby')).stdout).toBe('No bans.');
    expect(await q(`SELECT * FROM user_ban_futures`)).toEqual([]);
  });

  it('lists users active in a room', async () => {
    const [u] = await q<{ id: number }>(`SELECT id FROM users WHERE session_id = $1`, [SID_A]);
    const [room] = await q<{ id: number }>(`SELECT id FROM rooms WHERE token = 'lobby'`);
    await q(`INSERT INTO room_users (room, "user", last_active) VALUES ($1, $2, $3)`, [room.id, u.id, t.clock.now()]);
    const r = await cli(t, 'users', 'list', '--room', 'lobby');
    expect(r.stdout).toMatch(new RegExp(`^${SID_A} last active `));
  });

  it('reports migrations up to date with exit 0', async () => {
    expect(await cli(t, 'migrations', 'status')).toEqual({ code: 0, stdout: 'The database schema is up to date.', stderr: '' });
  });

  it('prints the server public key', async () => {
    expect((await cli(t, 'key')).stdout).toBe(t.serverKey.publicKeyHex);
  });

  it('sets a room image only from an image file: a text file is a bad argument (exit 2) and changes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-image-'));
    try {
      const text = path.join(dir, 'notes.png');
      fs.writeFileSync(text, 'just some text, named like an image\n');
      const before = await q(`SELECT image, info_updates FROM rooms WHERE token = 'lobby'`);
      const r = await cli(t, 'rooms', 'update', 'lobby', '--image', text, '--name', 'Renamed');
      expect(r).toEqual({ code: 2, stdout: '', stderr: `sogs: --image ${text} is not an image: expected a PNG, JPEG, GIF or WebP file` });
      expect(await q(`SELECT image, info_updates FROM rooms WHERE token = 'lobby'`)).toEqual(before);
      expect(await q(`SELECT count(*)::int AS n FROM files`)).toEqual([{ n: 0 }]);
      // Each accepted format, by its first bytes.
      for (const [name, head] of [
        ['a.png', '89504e470d0a1a0a'],
        ['a.jpg', 'ffd8ffe0'],
        ['a.gif', Buffer.from('GIF89a').toString('hex')],
        ['a.webp', Buffer.from('RIFF\0\0\0\0WEBPVP8 ').toString('hex')],
      ]) {
        const file = path.join(dir, name);
        fs.writeFileSync(file, Buffer.concat([Buffer.from(head, 'hex'), Buffer.alloc(32)]));
        const ok = await cli(t, 'rooms', 'update', 'lobby', '--image', file);
        expect({ name, code: ok.code, stderr: ok.stderr }).toEqual({ name, code: 0, stderr: '' });
      }
      const [room] = await q(`SELECT r.image, f.filename FROM rooms r JOIN files f ON f.id = r.image WHERE r.token = 'lobby'`);
      expect(room.filename).toBe('a.webp');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deletes a room only with --yes', async () => {
    const r = await cli(t, 'rooms', 'delete', 'quiet');
    expect(r.code).toBe(2);
    expect((await cli(t, 'rooms', 'delete', 'quiet', '--yes')).code).toBe(0);
    expect(await q(`SELECT token FROM rooms WHERE token = 'quiet'`)).toEqual([]);
  });

  it.each([
    [['frobnicate'], 2, 'sogs: unknown command "frobnicate" (try: sogs --help)'],
    [['rooms', 'add'], 2, 'sogs: usage: sogs rooms add TOKEN'],
    [['rooms', 'add', 'x', '--bogus'], 2, `sogs: Unknown option '--bogus'`],
    [['rooms', 'add', 'x', '--revoke', 'z'], 2, 'sogs: --revoke takes letters r (read), w (write), u (upload), a (accessible); got "z"'],
    [['moderators', 'add', SID_A], 2, 'sogs: give exactly one of --room TOKEN, --all-rooms or --global'],
    [['moderators', 'add', 'nothex', '--room', 'lobby'], 2, 'sogs: invalid Session ID: nothex'],
    [['moderators', 'add', '05abc', '--room', 'lobby'], 2, 'sogs: invalid Session ID: 05abc'],
    [['rooms', 'add', 'bad token!'], 2, 'sogs: invalid room token "bad token!": use 1-64 letters, digits, _ or -'],
    [['moderators', 'add', SID_A, '--room', 'nope'], 1, 'sogs: no such room: nope'],
    [['bans', 'add', SID_A, '--global', '--duration', 'soon'], 2, 'sogs: invalid duration "soon": use a number with s, m, h, d or w (e.g. 12h, 7d)'],
    [['permissions', 'set', '--room', 'lobby', '--clear', 'r'], 2, 'sogs: --clear needs --user (room defaults cannot be cleared)'],
    [['migrations', 'sideways'], 2, 'sogs: unknown migrations action "sideways"; one of status, run'],
    // A token or id that cannot be one is a bad argument wherever it is given, not a missing room.
    [['rooms', 'add', 'x'.repeat(65)], 2, `sogs: invalid room token "${'x'.repeat(65)}": use 1-64 letters, digits, _ or -`],
    [['rooms', 'update', 'bad token!', '--name', 'x'], 2, 'sogs: invalid room token "bad token!": use 1-64 letters, digits, _ or -'],
    [['rooms', 'delete', 'bad/token', '--yes'], 2, 'sogs: invalid room token "bad/token": use 1-64 letters, digits, _ or -'],
    [['moderators', 'add', SID_A, '--room', 'bad token!'], 2, 'sogs: invalid room token "bad token!": use 1-64 letters, digits, _ or -'],
    [['moderators', 'list', '--room', 'a b'], 2, 'sogs: invalid room token "a b": use 1-64 letters, digits, _ or -'],
    [['bans', 'list', '--room', '../x'], 2, 'sogs: invalid room token "../x": use 1-64 letters, digits, _ or -'],
    [['permissions', 'list', '--room', 'é'], 2, 'sogs: invalid room token "é": use 1-64 letters, digits, _ or -'],
    [['users', 'list', '--room', 'a!'], 2, 'sogs: invalid room token "a!": use 1-64 letters, digits, _ or -'],
    [['log', '--room', 'a!'], 2, 'sogs: invalid room token "a!": use 1-64 letters, digits, _ or -'],
    [['bans', 'add', '05abc', '--global'], 2, 'sogs: invalid Session ID: 05abc'],
    [['permissions', 'set', '--room', 'lobby', '--user', '05abc', '--grant', 'r'], 2, 'sogs: invalid Session ID: 05abc'],
    [['messages', 'delete-all', '05abc', '--room', 'lobby'], 2, 'sogs: "05abc" is not a Session ID (05… or 15… and 64 hex digits)'],
    [['rooms', 'update', 'lobby', '--name', ''], 2, 'sogs: the room name must not be empty'],
    [['rooms', 'update', 'lobby'], 2, 'sogs: nothing to update: see sogs help rooms for the options'],
    [['users', 'list', '--room', 'lobby', '--days', 'x'], 2, 'sogs: --days takes a positive number, got "x"'],
    [['log', '--limit', '0'], 2, 'sogs: --limit takes a positive whole number, got "0"'],
    [['key', 'extra'], 2, 'sogs: unexpected argument "extra"'],
    [['init', 'extra'], 2, 'sogs: unexpected argument "extra"'],
    [['rooms', 'update', 'lobby', '--image', '/nonexistent/logo.png'], 2, 'sogs: cannot read --image /nonexistent/logo.png: ENOENT'],
  ])('rejects %j with exit %i and one line', async (argv, code, message) => {
    const r = await cli(t, ...(argv as string[]));
    expect(r.code).toBe(code);
    expect(r.stderr).toBe(message);
    expect(r.stdout).toBe('');
  });
});
