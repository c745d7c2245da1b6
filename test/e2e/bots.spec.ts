/**
 * Bots (issue #17): identities held by the server (`sogs bots …`), the local bot API on its own
 * listener (bearer tokens; posts signed by the bot and made through the same service as every
 * post), and welcome whispers (`sogs rooms update TOKEN --welcome TEXT`), once per user and room.
 */
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { BotApiListener } from '../../src/bots/api/bot-api-listener';
import { deriveBotKey } from '../../src/bots/bot-key';
import { parseSessionContent, verifyEd25519 } from '../../src/crypto';
import { createHttpApp } from '../../src/http/create-app';
import { runStartupTasks } from '../../src/core/open-runtime';
import { cli } from '../support/cli-runner';
import { SessionClient, signed } from '../support/session-client';
import { sessionContent } from '../support/session-content';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

/** Checks a message as a Session client does: signature under the author's `15` key, then the content. */
function asClientSees(m: Json) {
  const data = Buffer.from(m.data, 'base64');
  const key = Buffer.from((m.session_id as string).slice(2), 'hex');
  return { verified: verifyEd25519(Buffer.from(m.signature, 'base64'), data, key), content: parseSessionContent(data) };
}

describe('bots', () => {
  let t: TestApp;
  let api: string;
  let token: string;
  let alice: SessionClient;
  let mod: SessionClient;
  const asBot = (method: 'get' | 'post' | 'delete', url: string, bearer = token) =>
    request(api)[method](url).set('authorization', `Bearer ${bearer}`);

  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_BOT_API_LISTEN: '127.0.0.1:0' } });
    api = t.app.get(BotApiListener).address!;
    alice = t.newClient();
    mod = t.newClient();
    for (const c of [alice, mod]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    expect((await cli(t, 'rooms', 'add', 'lobby')).code).toBe(0);
    expect((await cli(t, 'rooms', 'add', 'other')).code).toBe(0);
    expect((await cli(t, 'moderators', 'add', mod.blindedId, '--room', 'lobby')).code).toBe(0);
  });
  afterAll(() => t.close());

  it('bots add creates an identity derived from the server key and the name, posting under its 15 id', async () => {
    const res = await cli(t, 'bots', 'add', 'helper', '--display-name', 'Helper Bot', '--room', 'lobby', '--moderator');
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const id = deriveBotKey(t.serverKey.privateKey, 'helper').sessionId;
    expect(id).toMatch(/^15[0-9a-f]{64}$/);
    expect(res.stdout).toBe(`Created bot helper: ${id}\n  rooms: lobby (moderator)\n  API token: sogs bots token helper`);
    expect((await cli(t, 'bots', 'add', 'helper')).code).toBe(1);
    expect((await cli(t, 'bots', 'add', 'Bad Name')).code).toBe(2);
    const mods = await signed(t.server, mod, 'GET', '/room/lobby/moderators').expect(200);
    expect(mods.body.map((m: Json) => m.session_id)).toContain(id);
    const listed = await cli(t, 'bots', 'list');
    expect(listed.stdout).toContain(`helper\n  session id:   ${id}\n  display name: Helper Bot\n  rooms:        lobby\n  API token:    none`);
    const tok = await cli(t, 'bots', 'token', 'helper');
    expect(tok.code).toBe(0);
    token = tok.stdout;
    expect(token).toMatch(/^sogsbot_[A-Za-z0-9_-]{43}$/);
    const stored = await t.database.query<{ token_hash: Buffer }>(`SELECT token_hash FROM bots WHERE name = 'helper'`);
    expect(stored[0].token_hash).toHaveLength(32); // a SHA-256, never the token
    expect((await cli(t, 'bots', 'list')).stdout).toContain('API token:    issued');
  });

  it('posts through the API: a signed client polling (in a batch) verifies and decodes it', async () => {
    const res = await asBot('post', '/bots/helper/rooms/lobby/messages').send({ text: 'Hello from a bot 🤖' }).expect(201);
    expect(res.body).toMatchObject({ id: expect.any(Number), seqno: expect.any(Number), session_id: deriveBotKey(t.serverKey.privateKey, 'helper').sessionId });
    const batch = await signed(t.server, alice, 'POST', '/batch', { json: [{ method: 'GET', path: '/room/lobby/messages/since/0' }] }).expect(200);
    expect(batch.body[0].code).toBe(200);
    const [m] = batch.body[0].body as Json[];
    const seen = asClientSees(m);
    expect(seen.verified).toBe(true);
    expect(seen.content).toEqual({ body: 'Hello from a bot 🤖', displayName: 'Helper Bot', attachments: 0, timestamp: expect.any(Number) });
    expect(Math.abs(seen.content!.timestamp! - m.posted * 1000)).toBeLessThan(1000);
    expect(Buffer.from(m.data, 'base64').length % 160).toBe(0);
  });

  it('reads messages since a seqno as text, author and time; replies quote; reacts; deletes', async () => {
    const posted = await signed(t.server, alice, 'POST', '/room/lobby/message', {
      json: { data: sessionContent('hi bot', 'Alice').toString('base64'), signature: Buffer.alloc(64, 1).toString('base64') },
    }).expect(201);
    const since = await asBot('get', '/bots/helper/rooms/lobby/messages/since/0?limit=10').expect(200);
    expect(since.body.map((m: Json) => [m.text, m.display_name])).toEqual([
      ['Hello from a bot 🤖', 'Helper Bot'],
      ['hi bot', 'Alice'],
    ]);
    expect(since.body[1]).toEqual({ id: posted.body.id, seqno: posted.body.seqno, session_id: alice.blindedId, posted: posted.body.posted, text: 'hi bot', display_name: 'Alice' });

    const reply = await asBot('post', '/bots/helper/rooms/lobby/messages').send({ text: 'hello Alice', reply_to: posted.body.id }).expect(201);
    const data = Buffer.from(reply.body.data, 'base64');
    expect(data.includes(Buffer.from(alice.blindedId))).toBe(true);
    expect(data.includes(Buffer.from('hi bot'))).toBe(true);

    const reacted = await asBot('post', '/bots/helper/rooms/lobby/reactions').send({ message: posted.body.id, reaction: '👍' }).expect(200);
    expect(reacted.body).toEqual({ added: true, seqno: expect.any(Number) });
    const msg = await signed(t.server, alice, 'GET', `/room/lobby/message/${posted.body.id}`).expect(200);
    expect(msg.body.reactions['👍']).toMatchObject({ count: 1, reactors: [reply.body.session_id] });

    // A moderator bot deletes anyone's message, and the audit log says so.
    await asBot('delete', `/bots/helper/rooms/lobby/messages/${posted.body.id}`).expect(200, {});
    const log = await signed(t.server, mod, 'GET', '/room/lobby/moderation/log').expect(200);
    expect(log.body[0]).toMatchObject({ action: 'delete_message', actor: reply.body.session_id, target: alice.blindedId });
  });

  it('whispers when it moderates the room; the whisper reaches only its recipient', async () => {
    const w = await asBot('post', '/bots/helper/rooms/lobby/messages').send({ text: 'psst', whisper_to: alice.blindedId }).expect(201);
    expect(w.body.whisper_to).toBe(alice.blindedId);
    const other = t.newClient();
    const theirs = await signed(t.server, other, 'GET', `/room/lobby/messages/since/${w.body.seqno - 1}`).expect(200);
    expect(theirs.body).toEqual([]);
    const hers = await signed(t.server, alice, 'GET', `/room/lobby/messages/since/${w.body.seqno - 1}`).expect(200);
    expect(hers.body.map((m: Json) => m.id)).toEqual([w.body.id]);
  });

  it('answers 401 without a valid token, 403 for another bot, 403 outside its rooms, 404 for no room, 400 for bad bodies', async () => {
    await request(api).post('/bots/helper/rooms/lobby/messages').send({ text: 'x' }).expect(401);
    await asBot('post', '/bots/helper/rooms/lobby/messages', 'sogsbot_wrong').send({ text: 'x' }).expect(401);
    await asBot('post', '/bots/helper/rooms/lobby/messages', '').send({ text: 'x' }).expect(401);
    expect((await cli(t, 'bots', 'add', 'second')).code).toBe(0);
    await asBot('post', '/bots/second/rooms/lobby/messages').send({ text: 'x' }).expect(403, 'this token belongs to another bot');
    await asBot('post', '/bots/helper/rooms/other/messages').send({ text: 'x' }).expect(403, 'bot helper may not act in room other');
    await asBot('post', '/bots/helper/rooms/nowhere/messages').send({ text: 'x' }).expect(404);
    await asBot('post', '/bots/helper/rooms/lobby/messages').send({ text: '' }).expect(400, 'Invalid request: text must not be empty');
    await asBot('post', '/bots/helper/rooms/lobby/messages').send('not json').expect(400);
    await asBot('get', '/bots/helper/rooms/lobby/messages/since/abc').expect(404);
  });

  it('a bot is refused like anyone: no whisper without moderation, 403 when banned, rate limited', async () => {
    const second = (await cli(t, 'bots', 'token', 'second')).stdout;
    const post = (text: string, extra: Json = {}) => asBot('post', '/bots/second/rooms/lobby/messages', second).send({ text, ...extra });
    await post('psst', { whisper_to: alice.blindedId }).expect(403, 'Only moderators may send whispers');
    for (let i = 0; i < 5; i++) await post(`spam ${i}`).expect(201);
    await post('one too many').expect(429);
    t.clock.advance(20);
    const secondId = deriveBotKey(t.serverKey.privateKey, 'second').sessionId;
    expect((await cli(t, 'bans', 'add', secondId, '--room', 'lobby')).code).toBe(0);
    await post('banned').expect(403, "This endpoint requires room message 'write' permission");
    await asBot('get', '/bots/second/rooms/lobby/messages/since/0', second).expect(403);
    // The moderator bot is exempt from the rate limit.
    for (let i = 0; i < 7; i++) await asBot('post', '/bots/helper/rooms/lobby/messages').send({ text: `news ${i}` }).expect(201);
  });

  it('is reachable only on its own listener: 404 on the public port and in batches (onion requests dispatch like batches)', async () => {
    await request(t.server).post('/bots/helper/rooms/lobby/messages').set('authorization', `Bearer ${token}`).send({ text: 'x' }).expect(404);
    const batch = await signed(t.server, alice, 'POST', '/batch', {
      json: [{ method: 'GET', path: '/bots/helper/rooms/lobby/messages/since/0', headers: { authorization: `Bearer ${token}` } }],
    }).expect(200);
    expect(batch.body[0].code).toBe(404);
  });

  it('bots remove dismisses the bot and revokes its token; its posts stay', async () => {
    const id = deriveBotKey(t.serverKey.privateKey, 'helper').sessionId;
    expect(await cli(t, 'bots', 'remove', 'helper')).toMatchObject({ code: 0, stdout: 'Removed bot helper' });
    await asBot('get', '/bots/helper/rooms/lobby/messages/since/0').expect(401);
    const mods = await signed(t.server, mod, 'GET', '/room/lobby/moderators').expect(200);
    expect(mods.body.map((m: Json) => m.session_id)).not.toContain(id);
    const all = await signed(t.server, alice, 'GET', '/room/lobby/messages/recent?limit=256').expect(200);
    expect(all.body.some((m: Json) => m.session_id === id)).toBe(true);
    expect((await cli(t, 'bots', 'remove', 'helper')).code).toBe(1);
  });
});

describe('welcome whispers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    expect((await cli(t, 'rooms', 'add', 'hall')).code).toBe(0);
    const res = await cli(t, 'rooms', 'update', 'hall', '--welcome', 'Welcome to the hall!\\nBe nice.');
    expect(res).toMatchObject({ code: 0, stdout: 'Set the welcome text of room hall\nUpdated room hall (hall)' });
  });
  afterAll(() => t.close());

  const whispersTo = async (c: SessionClient, app = t.server) => {
    const res = await signed(app, c, 'GET', '/room/hall/messages/since/0').expect(200);
    return (res.body as Json[]).filter((m) => m.whisper_to === c.blindedId);
  };

  it('arrive once per user, on the first poll, from the welcome bot', async () => {
    const bob = t.newClient();
    const first = await whispersTo(bob);
    const second = await whispersTo(bob);
    const third = await whispersTo(bob);
    const all = [...first, ...second, ...third];
    expect(new Set(all.map((m) => m.id)).size).toBe(1);
    expect(third).toHaveLength(1);
    const seen = asClientSees(third[0]);
    expect(seen.verified).toBe(true);
    expect(seen.content).toMatchObject({ body: 'Welcome to the hall!\nBe nice.', displayName: 'Welcome' });
    expect(third[0].session_id).toBe(deriveBotKey(t.serverKey.privateKey, 'welcome').sessionId);
    // Nobody else sees Bob's welcome.
    const carol = t.newClient();
    const carols = await signed(t.server, carol, 'GET', '/room/hall/messages/since/0').expect(200);
    expect(carols.body.filter((m: Json) => m.whisper_to === bob.blindedId)).toEqual([]);
  });

  it('stop with --welcome none; the welcome bot is a hidden moderator of the room', async () => {
    const listed = await cli(t, 'bots', 'list');
    expect(listed.stdout).toContain('welcome\n');
    const id = deriveBotKey(t.serverKey.privateKey, 'welcome').sessionId;
    expect(await t.database.query(`SELECT o.moderator, o.visible_mod FROM user_permission_overrides o JOIN users u ON u.id = o."user" WHERE u.session_id = $1`, [id])).toEqual([
      { moderator: true, visible_mod: false },
    ]);
    expect((await cli(t, 'rooms', 'update', 'hall', '--welcome', 'none')).stdout).toContain('Removed the welcome text of room hall');
    expect(await whispersTo(t.newClient())).toEqual([]);
    expect((await cli(t, 'rooms', 'update', 'hall', '--welcome', 'Welcome back')).code).toBe(0);
  });

  it('arrive on a first post too, and not again from a second instance on the same database', async () => {
    const dave = t.newClient();
    await signed(t.server, dave, 'POST', '/room/hall/message', {
      json: { data: sessionContent('hello').toString('base64'), signature: Buffer.alloc(64, 2).toString('base64') },
    }).expect(201);
    expect(await whispersTo(dave)).toHaveLength(1);
    // A second application on the same database, with its own memory (closed with the first: closing
    // it would close the shared data source).
    const second = await createHttpApp({ ...t.runtime });
    await second.getHttpAdapter().getInstance().ready();
    await runStartupTasks(second);
    const erin = t.newClient();
    expect(await whispersTo(dave, second.getHttpServer())).toHaveLength(1);
    expect(await whispersTo(erin, second.getHttpServer())).toHaveLength(1);
    expect(await whispersTo(erin)).toHaveLength(1);
    const rows = await t.database.query(
      `SELECT u.session_id, count(*)::int AS n FROM room_welcomes w JOIN users u ON u.id = w."user" WHERE u.session_id = ANY($1) GROUP BY 1 ORDER BY 1`,
      [[dave.blindedId, erin.blindedId]],
    );
    expect(rows).toEqual([dave.blindedId, erin.blindedId].sort().map((session_id) => ({ session_id, n: 1 })));
  });
});

describe('the bot API listener', () => {
  it('is absent unless SOGS_BOT_API_LISTEN is set: the paths are 404 on the public port', async () => {
    const t = await createTestApp();
    try {
      // Nest's get() ends the process for a missing provider: look in its container instead.
      const container = (t.app as unknown as { container: { getModules(): Map<string, { providers: Map<unknown, unknown> }> } }).container;
      expect([...container.getModules().values()].some((m) => m.providers.has(BotApiListener))).toBe(false);
      await request(t.server).get('/bots/x/rooms/y/messages/since/0').set('authorization', 'Bearer sogsbot_x').expect(404);
    } finally {
      await t.close();
    }
  });

  it('listens on a unix socket when given a path', async () => {
    const socket = path.join(os.tmpdir(), `sogs-bots-${process.pid}.sock`);
    const t = await createTestApp({ env: { SOGS_BOT_API_LISTEN: socket } });
    try {
      expect(t.app.get(BotApiListener).address).toBe(`unix:${socket}`);
      const status = await new Promise<number>((resolve, reject) =>
        http.get({ socketPath: socket, path: '/bots/x/rooms/y/messages/since/0' }, (res) => resolve(res.statusCode!)).on('error', reject),
      );
      expect(status).toBe(401);
    } finally {
      await t.close();
    }
  });
});
