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

  it('sends nothing where the room says none, and the bot is a hidden moderator nobody else sees', async () => {
    expect((await post(poster, 'off', 'fuck')).status).toBe(201);
    expect(await fromBot(poster, 'off')).toEqual([]);
    const mods = await signed(t.server, other, 'GET', '/room/quiet').expect(200);
    expect(JSON.stringify(mods.body)).not.toContain(filterBot);
    const list = await cli(t, 'rooms', 'list');
    expect(list.stdout).toContain('  filter reply: No, \\p.');
    expect(list.stdout).toContain('  filter reply: none');
  });

  it('fills in the substitutions of §7.8', () => {
    const room = { name: 'Lobby', token: 'lobby' };
    expect(fillIn(String.raw`\@ \p \r \t\n\\ \x`, { sessionId: '15ab', name: 'Bo', room })).toBe('@15ab Bo Lobby lobby\n\\ \\x');
    expect(fillIn(String.raw`hi \p`, { sessionId: '15ab', room })).toBe('hi 15ab');
  });
});
