/**
 * The content filters' auto-reply (§7.8, issue #17): the built-in `filter` bot whispers the room's
 * reply text (or SOGS_FILTER_REPLY) to a poster whose post the filters stopped, silently or with
 * 429, at most once a minute per poster and room; `--filter-reply none` turns it off in a room.
 */
import { randomBytes } from 'node:crypto';
import { deriveBotKey } from '../../src/bots/bot-key';
import { fillIn } from '../../src/bots/filter-reply.service';
import { parseSessionContent, verifyEd25519 } from '../../src/crypto';
import { cli } from '../support/cli-runner';
import { SessionClient, signed } from '../support/session-client';
import { sessionContent } from '../support/session-content';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

describe('the filter bot', () => {
  let t: TestApp;
  let poster: SessionClient;
  let other: SessionClient;
  let filterBot: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_FILTER_REPLY: String.raw`\@: \p, that post was not shown in \r (\t).\nRead the rules.` } });
    poster = t.newClient();
    other = t.newClient();
    for (const c of [poster, other]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    for (const args of [
      ['rooms', 'add', 'quiet', '--name', 'Quiet Room'],
      ['rooms', 'update', 'quiet', '--profanity', 'on'],
      ['rooms', 'add', 'strict', '--name', 'Strict'],
      ['rooms', 'update', 'strict', '--profanity', 'on', '--profanity-silent', 'off', '--filter-reply', String.raw`No, \p.`],
      ['rooms', 'add', 'off'],
      ['rooms', 'update', 'off', '--profanity', 'on', '--filter-reply', 'none'],
    ]) {
      const r = await cli(t, ...args);
      expect({ args, ...r }).toMatchObject({ args, code: 0, stderr: '' });
    }
    filterBot = deriveBotKey(t.serverKey.privateKey, 'filter').sessionId;
  });
  afterAll(() => t.close());

  const post = (c: SessionClient, room: string, body: string) => {
    t.clock.advance(4);
    return signed(t.server, c, 'POST', `/room/${room}/message`, {
      json: { data: sessionContent(body, 'Alice').toString('base64'), signature: randomBytes(64).toString('base64') },
    });
  };
  /** What a client polling the room sees from the filter bot: verified and decoded. */
  const fromBot = async (c: SessionClient, room: string) => {
    const res = await signed(t.server, c, 'GET', `/room/${room}/messages/since/0`).expect(200);
    return (res.body as Json[])
      .filter((m) => m.session_id === filterBot)
      .map((m) => {
        const data = Buffer.from(m.data, 'base64');
        return {
          verified: verifyEd25519(Buffer.from(m.signature, 'base64'), data, Buffer.from(filterBot.slice(2), 'hex')),
          whisper_to: m.whisper_to,
          content: parseSessionContent(data),
        };
      });
  };

  it('whispers the server-wide reply to the poster of a silently filtered post, once a minute', async () => {
    expect((await post(poster, 'quiet', 'what the fuck')).status).toBe(201);
    const seen = await fromBot(poster, 'quiet');
    expect(seen).toEqual([
      {
        verified: true,
        whisper_to: poster.blindedId,
        content: {
          body: `@${poster.blindedId}: Alice, that post was not shown in Quiet Room (quiet).\nRead the rules.`,
          displayName: 'Filter',
          attachments: 0,
          timestamp: expect.any(Number),
        },
      },
    ]);
    expect(await fromBot(other, 'quiet')).toEqual([]);
    // Within the minute: filtered again, no second reply; after it, one more.
    expect((await post(poster, 'quiet', 'fuck fuck')).status).toBe(201);
    expect(await fromBot(poster, 'quiet')).toHaveLength(1);
    t.clock.advance(60);
    expect((await post(poster, 'quiet', 'fuck again')).status).toBe(201);
    expect(await fromBot(poster, 'quiet')).toHaveLength(2);
    // A post that passes gets nothing.
    expect((await post(other, 'quiet', 'hello')).status).toBe(201);
    expect(await fromBot(other, 'quiet')).toEqual([]);
  });

  it("answers a refused post (429) with the room's own text; the poster's answer stays 429", async () => {
    const res = await post(poster, 'strict', 'fuck this');
    expect(res.status).toBe(429);
    expect(res.text).toBe('filtration rejected message (profanity)');
    expect((await fromBot(poster, 'strict')).map((m) => m.content?.body)).toEqual(['No, Alice.']);
  });

  it('answers a filtered post sent in a /sequence; a filtered edit gets nothing', async () => {
    const later = t.newClient();
    t.clock.advance(4);
    const seq = await signed(t.server, later, 'POST', '/sequence', {
      json: [{ method: 'POST', path: '/room/strict/message', json: { data: sessionContent('shit', 'Bob').toString('base64'), signature: randomBytes(64).toString('base64') } }],
    }).expect(200);
    // A subrequest's non-JSON body comes back base64-encoded (§5).
    expect(seq.body).toEqual([{ code: 429, headers: expect.any(Object), body: Buffer.from('filtration rejected message (profanity)').toString('base64') }]);
    expect((await fromBot(later, 'strict')).map((m) => [m.content?.body, m.whisper_to])).toEqual([['No, Bob.', later.blindedId]]);
    // An edit is never answered: a fresh poster's clean post, then a profane edit of it.
    const editor = t.newClient();
    const clean = await post(editor, 'quiet', 'all good').expect(201);
    t.clock.advance(4);
    await signed(t.server, editor, 'PUT', `/room/quiet/message/${clean.body.id}`, {
      json: { data: sessionContent('fuck', 'Eve').toString('base64'), signature: randomBytes(64).toString('base64') },
    }).expect(200);
    expect(await fromBot(editor, 'quiet')).toEqual([]);
  });

  it('sends nothing where the room says none; the bot is a hidden moderator of the rooms it answered in only', async () => {
    expect((await post(poster, 'off', 'fuck')).status).toBe(201);
    expect(await fromBot(poster, 'off')).toEqual([]);
    const mods = await signed(t.server, other, 'GET', '/room/quiet').expect(200);
    expect(JSON.stringify(mods.body)).not.toContain(filterBot);
    const bot = await t.database.query<{ id: number; moderator: boolean }>(`SELECT id, moderator FROM users WHERE session_id = $1`, [filterBot]);
    expect(bot).toEqual([{ id: expect.anything(), moderator: false }]);
    const rooms = await t.database.query<{ token: string }>(
      `SELECT r.token FROM user_permission_overrides o JOIN rooms r ON r.id = o.room WHERE o."user" = $1 AND o.moderator AND NOT o.visible_mod ORDER BY r.token`,
      [bot[0].id],
    );
    expect(rooms.map((r) => r.token)).toEqual(['quiet', 'strict']);
    const list = await cli(t, 'rooms', 'list');
    expect(list.stdout).toContain('  filter reply: No, \\p.');
    expect(list.stdout).toContain('  filter reply: none');
  });

  it('is not sent by a bot that an admin banned in the room; the ban stands and the poster still gets 201', async () => {
    expect((await cli(t, 'rooms', 'add', 'banned', '--name', 'Banned')).code).toBe(0);
    expect((await cli(t, 'rooms', 'update', 'banned', '--profanity', 'on')).code).toBe(0);
    const ban = await cli(t, 'bans', 'add', filterBot, '--room', 'banned');
    expect({ ...ban, stdout: undefined }).toMatchObject({ code: 0, stderr: '' });
    expect((await post(poster, 'banned', 'fuck')).status).toBe(201);
    expect(await fromBot(poster, 'banned')).toEqual([]);
    const [row] = await t.database.query<{ banned: boolean; moderator: boolean }>(
      `SELECT o.banned, o.moderator FROM user_permission_overrides o JOIN rooms r ON r.id = o.room JOIN users u ON u.id = o."user"
        WHERE r.token = 'banned' AND u.session_id = $1`,
      [filterBot],
    );
    expect(row).toEqual({ banned: true, moderator: false });
  });

  it('fills in the substitutions of §7.8', () => {
    const room = { name: 'Lobby', token: 'lobby' };
    expect(fillIn(String.raw`\@ \p \r \t\n\\ \x`, { sessionId: '15ab', name: 'Bo', room })).toBe('@15ab Bo Lobby lobby\n\\ \\x');
    expect(fillIn(String.raw`hi \p`, { sessionId: '15ab', room })).toBe('hi 15ab');
  });
});

describe('the filter bot with no reply text set', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('sends nothing and is not even created', async () => {
    t = await createTestApp();
    const poster = t.newClient();
    for (const args of [
      ['rooms', 'add', 'quiet'],
      ['rooms', 'update', 'quiet', '--profanity', 'on'],
    ]) {
      expect((await cli(t, ...args)).code).toBe(0);
    }
    const res = await signed(t.server, poster, 'POST', '/room/quiet/message', {
      json: { data: sessionContent('fuck', 'Alice').toString('base64'), signature: randomBytes(64).toString('base64') },
    }).expect(201);
    expect(res.body.filtered).toBe(true);
    const seen = await signed(t.server, poster, 'GET', '/room/quiet/messages/since/0').expect(200);
    expect(seen.body).toEqual([]);
    expect(await t.database.query(`SELECT name FROM bots`)).toEqual([]);
    expect(await t.database.query(`SELECT * FROM filter_replies`)).toEqual([]);
  });
});
