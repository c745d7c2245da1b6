/**
 * Content filters (§7.8) over HTTP: alphabet and profanity filters, silent (stored as filtered,
 * 201 with `filtered: true`, invisible) or refusing (429), per room and server-wide, moderators
 * exempt unless SOGS_FILTER_MODS, edits, files, the rate limit, a replacement word list and the CLI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ModerationService } from '../../src/moderation/moderation.service';
import { RoomFilterChanges } from '../../src/rooms/room';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { cli } from '../support/cli-runner';
import { SessionClient, signed } from '../support/session-client';
import { sessionContent } from '../support/session-content';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

/** A test app with `user`, `user2`, a room moderator `mod` and helpers to post and read. */
async function setup(env: Record<string, string> = {}) {
  const t = await createTestApp({ env });
  const system = (await t.app.get(UsersRepository).findById(0)) as User;
  const [user, user2, mod] = [t.newClient(), t.newClient(), t.newClient()];
  for (const c of [user, user2, mod]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
  const roomsService = t.app.get(RoomsService);
  let n = 0;
  const room = async (filters: RoomFilterChanges = {}): Promise<Room> => {
    const r = await roomsService.create({ token: `filters-${++n}` });
    await t.app.get(ModerationService).setModerator(system, mod.blindedId, { rooms: [r] }, { moderator: true });
    return Object.keys(filters).length ? roomsService.update(r.token, filters) : r;
  };
  const message = (body: string, name?: string, extra: Json = {}) => ({
    data: sessionContent(body, name).toString('base64'),
    signature: randomBytes(64).toString('base64'),
    ...extra,
  });
  /** Posts 4 s after the previous post (under the rate limit); returns the raw response. */
  const post = (c: SessionClient, r: Room, body: string, name?: string, extra: Json = {}) => {
    t.clock.advance(4);
    return signed(t.server, c, 'POST', `/room/${r.token}/message`, { json: message(body, name, extra) });
  };
  const edit = (c: SessionClient, r: Room, id: number, body: string) =>
    signed(t.server, c, 'PUT', `/room/${r.token}/message/${id}`, { json: message(body) });
  const visibleIds = async (c: SessionClient, r: Room): Promise<number[]> =>
    ((await signed(t.server, c, 'GET', `/room/${r.token}/messages/since/0`).expect(200)).body as Json[]).map((m) => m.id);
  const rows = (r: Room) =>
    t.database.query<{ id: number; filtered: boolean; data: Buffer }>(`SELECT id, filtered, data FROM messages WHERE room = $1 ORDER BY id`, [r.id]);
  return { t, user, user2, mod, room, message, post, edit, visibleIds, rows };
}

describe('content filters', () => {
  let s: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(() => s.t.close());

  it('are off by default: profanity and any alphabet are posted and shown', async () => {
    const room = await s.room();
    for (const text of ['what the fuck', 'привет', 'مرحبا']) {
      const res = await s.post(s.user, room, text);
      expect(res.status).toBe(201);
      expect(res.body.filtered).toBeUndefined();
    }
    expect(await s.visibleIds(s.user2, room)).toHaveLength(3);
  });

  describe('silent profanity filter', () => {
    it('stores the post as filtered, answers 201 with filtered: true, and shows it to nobody', async () => {
      const room = await s.room({ profanity_filter: true });
      const clean = await s.post(s.user, room, 'hello there');
      const res = await s.post(s.user, room, 'what the Fuck is this');
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        session_id: s.user.blindedId,
        posted: expect.any(Number),
        seqno: clean.body.seqno + 1,
        data: expect.any(String),
        signature: expect.any(String),
        reactions: {},
        filtered: true,
      });
      expect(await s.rows(room)).toEqual([
        expect.objectContaining({ id: clean.body.id, filtered: false }),
        expect.objectContaining({ id: res.body.id, filtered: true }),
      ]);
      // Not to the poster, another user, nor a moderator; not as a single message either.
      for (const c of [s.user, s.user2, s.mod]) expect(await s.visibleIds(c, room)).toEqual([clean.body.id]);
      await signed(s.t.server, s.user, 'GET', `/room/${room.token}/message/${res.body.id}`).expect(404);
      const recent = await signed(s.t.server, s.user2, 'GET', `/room/${room.token}/messages/recent`).expect(200);
      expect(recent.body.map((m: Json) => m.id)).toEqual([clean.body.id]);
      // Nobody can react to it or pin it.
      await signed(s.t.server, s.user2, 'PUT', `/room/${room.token}/reaction/${res.body.id}/👍`).expect(404);
    });

    it('checks the display name as well as the body, and catches disguised words', async () => {
      const room = await s.room({ profanity_filter: true });
      expect((await s.post(s.user, room, 'hi all', 'shithead')).body.filtered).toBe(true);
      expect((await s.post(s.user, room, 'you are a $h1t')).body.filtered).toBe(true);
      expect((await s.post(s.user, room, 'FUUUUCK')).body.filtered).toBe(true);
      expect((await s.post(s.user, room, 'piece   of SHIT!')).body.filtered).toBe(true);
      // Whole words only: these only contain listed words.
      for (const text of ['Scunthorpe class assessment', 'a cocktail in the shitake... no, shiitake', 'Dickens']) {
        expect((await s.post(s.user, room, text)).body.filtered).toBeUndefined();
      }
    });

    it('lets bytes through that are not a Session message (no text a client would show)', async () => {
      const room = await s.room({ profanity_filter: true, alphabet_filters: ['cyrillic'] });
      s.t.clock.advance(4);
      const data = Buffer.from('fuck привет').toString('base64');
      const res = await signed(s.t.server, s.user, 'POST', `/room/${room.token}/message`, {
        json: { data, signature: randomBytes(64).toString('base64') },
      });
      expect(res.status).toBe(201);
      expect(res.body.filtered).toBeUndefined();
    });

    it('a filtered post counts towards the rate limit', async () => {
      const room = await s.room({ profanity_filter: true });
      for (let i = 0; i < 5; i++) {
        const res = await signed(s.t.server, s.user, 'POST', `/room/${room.token}/message`, { json: s.message('fuck') });
        expect(res.body.filtered).toBe(true);
      }
      const res = await signed(s.t.server, s.user, 'POST', `/room/${room.token}/message`, { json: s.message('sorry') });
      expect(res.status).toBe(429);
      expect(res.text).toBe('Rate limited');
    });

    it('a filtered post attaches no files: they keep the one-hour expiry of unused uploads', async () => {
      const room = await s.room({ profanity_filter: true });
      const file = (await signed(s.t.server, s.user, 'POST', `/room/${room.token}/file`, { body: randomBytes(32) }).expect(201)).body.id;
      const res = await s.post(s.user, room, 'shit', undefined, { files: [file] });
      expect(res.body.filtered).toBe(true);
      const [f] = await s.t.database.query<{ message: number | null; expiry: number; uploaded: number }>(
        `SELECT message, expiry, uploaded FROM files WHERE id = $1`,
        [file],
      );
      expect(f).toEqual({ message: null, expiry: f.uploaded + 3600, uploaded: f.uploaded });
    });

    it('a silently filtered edit is discarded and answered 200 {}', async () => {
      const room = await s.room({ profanity_filter: true });
      const posted = (await s.post(s.user, room, 'nice weather')).body;
      const res = await s.edit(s.user, room, posted.id, 'fucking weather');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
      const [row] = await s.rows(room);
      expect(row.data.toString('base64')).toBe(posted.data);
      const read = await signed(s.t.server, s.user2, 'GET', `/room/${room.token}/message/${posted.id}`).expect(200);
      expect(read.body.edited).toBeUndefined();
      // The filters come before the lookup (§1.5): even a missing message answers 200.
      expect((await s.edit(s.user, room, 999999, 'shit')).status).toBe(200);
      expect((await s.edit(s.user, room, 999999, 'clean')).status).toBe(404);
    });
  });

  describe('refusing filters', () => {
    it('profanity: 429 with the exact text, and nothing stored', async () => {
      const room = await s.room({ profanity_filter: true, profanity_silent: false });
      const res = await s.post(s.user, room, 'bullshit');
      expect(res.status).toBe(429);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toBe('filtration rejected message (profanity)');
      expect(await s.rows(room)).toEqual([]);
      const seq = await s.t.database.query<{ message_sequence: number }>(`SELECT message_sequence FROM rooms WHERE id = $1`, [room.id]);
      expect(seq[0].message_sequence).toBe(0);
    });

    it('an edit refused by a filter is a 429 and leaves the message as it was', async () => {
      const room = await s.room({ profanity_filter: true, profanity_silent: false });
      const posted = (await s.post(s.user, room, 'fine')).body;
      const res = await s.edit(s.user, room, posted.id, 'cunt');
      expect(res.status).toBe(429);
      expect(res.text).toBe('filtration rejected message (profanity)');
      expect((await s.rows(room))[0].data.toString('base64')).toBe(posted.data);
    });

    it('alphabets: each range of §7.8, refused with 429 when alphabet_silent is off', async () => {
      const cases: [string[], string, boolean][] = [
        [['cyrillic'], 'привет', true],
        [['cyrillic'], 'hello', false],
        [['arabic'], 'مرحبا', true],
        [['arabic'], 'x\u0750', true], // Arabic Supplement
        [['arabic'], 'x\u08A0', true], // Arabic Extended-A
        [['arabic'], 'x\uFB50', true], // Presentation Forms-A
        [['arabic'], 'x\uFEFE', true], // last of Presentation Forms-B in the range
        [['arabic'], 'x\uFEFF', false], // the BOM just after it
        [['persian'], 'x\u067E', true], // پ
        [['persian'], 'x\u06CC', true], // ی
        [['persian'], 'x\u0629', false], // ة is Arabic, not in the Persian set
        [['persian'], 'x\u0660', false], // Arabic-Indic digit
        [['arabic'], 'x\u0660', true],
        [['cyrillic'], 'x\u0500', false], // Cyrillic Supplement is outside U+0400–04FF
      ];
      for (const [alphabets, text, refused] of cases) {
        const room = await s.room({ alphabet_filters: alphabets, alphabet_silent: false });
        const res = await s.post(s.user, room, text);
        expect({ alphabets, text, status: res.status, body: res.status === 429 ? res.text : '' }).toEqual({
          alphabets,
          text,
          status: refused ? 429 : 201,
          body: refused ? 'filtration rejected message (alphabet)' : '',
        });
      }
    });

    it('alphabets check the body only, not the display name; silent by default', async () => {
      const room = await s.room({ alphabet_filters: ['cyrillic'] });
      expect((await s.post(s.user, room, 'hello', 'Иван')).body.filtered).toBeUndefined();
      expect((await s.post(s.user, room, 'Иван here')).body.filtered).toBe(true);
    });

    it('are checked after the whisper permission (403) and before the rate limit', async () => {
      const room = await s.room({ profanity_filter: true, profanity_silent: false });
      const whisper = await s.post(s.user, room, 'fuck', undefined, { whisper_mods: true });
      expect(whisper.status).toBe(403);
      for (let i = 0; i < 5; i++) await signed(s.t.server, s.user, 'POST', `/room/${room.token}/message`, { json: s.message('ok') }).expect(201);
      const res = await signed(s.t.server, s.user, 'POST', `/room/${room.token}/message`, { json: s.message('fuck') });
      expect(res.text).toBe('filtration rejected message (profanity)');
    });
  });

  it('moderators are exempt', async () => {
    const room = await s.room({ profanity_filter: true, profanity_silent: false, alphabet_filters: ['cyrillic'] });
    const res = await s.post(s.mod, room, 'fuck привет');
    expect(res.status).toBe(201);
    expect(res.body.filtered).toBeUndefined();
    expect(await s.visibleIds(s.user, room)).toEqual([res.body.id]);
    expect((await s.edit(s.mod, room, res.body.id, 'shit')).status).toBe(200);
  });

  it('a room can turn a server-wide filter off, and "default" follows the server again', async () => {
    const room = await s.room({ profanity_filter: false });
    expect((await s.post(s.user, room, 'fuck')).body.filtered).toBeUndefined();
    await s.t.app.get(RoomsService).update(room.token, { profanity_filter: null });
    // The server default here is off.
    expect((await s.post(s.user, room, 'fuck')).body.filtered).toBeUndefined();
    await s.t.app.get(RoomsService).update(room.token, { profanity_filter: true });
    expect((await s.post(s.user, room, 'fuck')).body.filtered).toBe(true);
  });
});

describe('content filters configured server-wide', () => {
  it('SOGS_PROFANITY_FILTER, SOGS_ALPHABET_FILTERS and SOGS_*_SILENT apply to every room; rooms may opt out', async () => {
    const s = await setup({
      SOGS_PROFANITY_FILTER: 'yes',
      SOGS_PROFANITY_SILENT: 'no',
      SOGS_ALPHABET_FILTERS: 'arabic, cyrillic',
    });
    try {
      const room = await s.room();
      expect((await s.post(s.user, room, 'fuck')).text).toBe('filtration rejected message (profanity)');
      const cyr = await s.post(s.user, room, 'привет');
      expect(cyr.status).toBe(201);
      expect(cyr.body.filtered).toBe(true); // SOGS_ALPHABET_SILENT defaults to yes
      const open = await s.room({ profanity_filter: false, alphabet_filters: [] });
      expect((await s.post(s.user, open, 'fuck привет')).body.filtered).toBeUndefined();
      const lenient = await s.room({ profanity_silent: true });
      expect((await s.post(s.user, lenient, 'fuck')).body.filtered).toBe(true);
    } finally {
      await s.t.close();
    }
  });

  it('SOGS_FILTER_MODS filters moderators too', async () => {
    const s = await setup({ SOGS_PROFANITY_FILTER: 'yes', SOGS_FILTER_MODS: 'yes' });
    try {
      const room = await s.room();
      expect((await s.post(s.mod, room, 'fuck')).body.filtered).toBe(true);
    } finally {
      await s.t.close();
    }
  });

  it('SOGS_PROFANITY_WORDS_FILE replaces the built-in list (words, phrases, comments)', async () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sogs-words-'));
    const file = path.join(dir, 'words.txt');
    fs.writeFileSync(file, '# our list\nbanana\n\nGreen Apple   # a phrase\n');
    const s = await setup({ SOGS_PROFANITY_FILTER: 'yes', SOGS_PROFANITY_WORDS_FILE: file });
    try {
      const room = await s.room();
      expect((await s.post(s.user, room, 'I like BANANAS')).body.filtered).toBeUndefined();
      expect((await s.post(s.user, room, 'I like a banana')).body.filtered).toBe(true);
      expect((await s.post(s.user, room, 'a green, apple!')).body.filtered).toBe(true);
      expect((await s.post(s.user, room, 'green tea, apple pie')).body.filtered).toBeUndefined();
      expect((await s.post(s.user, room, 'fuck')).body.filtered).toBeUndefined();
    } finally {
      await s.t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('content filters from the admin CLI', () => {
  let s: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    s = await setup({ SOGS_ALPHABET_FILTERS: 'persian' });
  });
  afterAll(() => s.t.close());

  const filtersLine = async (token: string) => {
    const r = await cli(s.t, 'rooms', 'list');
    const lines = r.stdout.split('\n');
    return lines[lines.indexOf(token) + lines.slice(lines.indexOf(token)).findIndex((l) => l.startsWith('  filters:'))];
  };

  it('rooms update sets, lists and resets the per-room filters', async () => {
    const room = await s.room();
    expect(await filtersLine(room.token)).toBe('  filters:      profanity off (server); alphabets persian (server), silent (server)');
    const r = await cli(s.t, 'rooms', 'update', room.token, '--profanity', 'on', '--profanity-silent', 'off', '--alphabets', 'cyrillic,arabic');
    expect(r).toEqual({ code: 0, stdout: `Updated room ${room.token} (${room.token})`, stderr: '' });
    expect(await filtersLine(room.token)).toBe('  filters:      profanity on, refuse; alphabets arabic,cyrillic, silent (server)');
    expect((await s.post(s.user, room, 'shit')).status).toBe(429);
    expect((await s.post(s.user, room, 'привет')).body.filtered).toBe(true);

    expect((await cli(s.t, 'rooms', 'update', room.token, '--alphabets', 'none', '--alphabet-silent', 'off')).code).toBe(0);
    expect((await s.post(s.user, room, 'привет')).status).toBe(201);
    expect((await cli(s.t, 'rooms', 'update', room.token, '--profanity', 'default', '--alphabets', 'default')).code).toBe(0);
    const [row] = await s.t.database.query(
      `SELECT profanity_filter, profanity_silent, alphabet_filters, alphabet_silent FROM rooms WHERE id = $1`,
      [room.id],
    );
    expect(row).toEqual({ profanity_filter: null, profanity_silent: false, alphabet_filters: null, alphabet_silent: false });
    expect((await s.post(s.user, room, 'shit')).status).toBe(201);
    expect((await s.post(s.user, room, 'x\u067E')).status).toBe(429);
  });

  it('refuses bad values with a usage error and changes nothing', async () => {
    const room = await s.room();
    for (const args of [
      ['--profanity', 'maybe'],
      ['--alphabets', 'latin'],
      ['--alphabets', ''],
      ['--alphabet-silent', 'yes'],
    ]) {
      const r = await cli(s.t, 'rooms', 'update', room.token, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')).toHaveLength(1);
    }
    const [row] = await s.t.database.query(`SELECT profanity_filter, alphabet_filters, alphabet_silent FROM rooms WHERE id = $1`, [room.id]);
    expect(row).toEqual({ profanity_filter: null, alphabet_filters: null, alphabet_silent: null });
  });
});
