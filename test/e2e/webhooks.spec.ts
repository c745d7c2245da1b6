/**
 * Outgoing webhooks in one server process: each kind of event recorded in the transaction of its
 * change and POSTed once, signed, with the documented body; room and event filters; no event for
 * DMs, whispers or filtered posts; retries with backoff until failed; the admin commands. The
 * delivery loop's timer is off (SOGS_WEBHOOKS_POLL_MS=0): the tests run the deliveries that are due.
 * Spawned servers (restarts, two instances, a receiver that hangs): webhooks-processes.spec.ts.
 */
import { randomBytes } from 'node:crypto';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { Metrics } from '../../src/metrics/metrics';
import { UsersRepository } from '../../src/users/users.repository';
import { WebhookDeliveryService } from '../../src/webhooks/webhook-delivery.service';
import { WebhookEvents } from '../../src/webhooks/webhook-events.service';
import { cli } from '../support/cli-runner';
import { parseSamples, valueOf } from '../support/prometheus-text';
import { sessionContent } from '../support/session-content';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';
import { expectedSignature, Received, WebhookReceiver } from '../support/webhook-receiver';

type Json = Record<string, any>;

describe('outgoing webhooks', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let lobby: Room;
  let system: User;
  let alice: SessionClient, bob: SessionClient, mod: SessionClient, admin: SessionClient;
  const secrets = new Map<string, string>();
  const ids = new Map<string, number>();

  const deliver = () => t.app.get(WebhookDeliveryService).deliverDue();
  const b64 = (b: Buffer) => b.toString('base64');
  const content = (text: string, name?: string) => ({ data: b64(sessionContent(text, name)), signature: b64(randomBytes(64)) });
  const post = async (c: SessionClient, room: string, text: string, name?: string, extra: Json = {}): Promise<Json> => {
    t.clock.advance(4); // under the post rate limit
    return (await signed(t.server, c, 'POST', `/room/${room}/message`, { json: { ...content(text, name), ...extra } }).expect(201)).body;
  };
  /** Adds a webhook at `path` of the receiver through the admin command; the server sees it at once. */
  const addWebhook = async (path: string, ...options: string[]): Promise<number> => {
    const res = await cli(t, 'webhooks', 'add', receiver.url(path), ...options);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const id = Number(/^Added webhook (\d+): /.exec(res.stdout)![1]);
    secrets.set(path, /secret: (\S+)$/m.exec(res.stdout)![1]);
    ids.set(path, id);
    await t.app.get(WebhookEvents).refresh();
    return id;
  };
  /** Bodies that arrived at `path` after the first `from`, checked: headers agree with the body, signature valid. */
  const bodies = (path: string, from = 0): Json[] =>
    receiver
      .at(path)
      .slice(from)
      .map((r) => checked(r, secrets.get(path)!))
      .sort((a, b) => a.delivery - b.delivery);

  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_WEBHOOKS_POLL_MS: '0' } });
    receiver = await WebhookReceiver.start();
    const rooms = t.app.get(RoomsService);
    lobby = await rooms.create({ token: 'lobby' });
    await rooms.create({ token: 'Other' });
    system = (await t.app.get(UsersRepository).findById(0))!;
    [alice, bob, mod, admin] = Array.from({ length: 4 }, () => t.newClient());
    for (const c of [alice, bob, mod, admin]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    const moderation = t.app.get(ModerationService);
    await moderation.setModerator(system, mod.blindedId, { rooms: [lobby] }, { moderator: true });
    await moderation.setModerator(system, admin.blindedId, { rooms: [lobby] }, { admin: true });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('adds webhooks with the admin command: prints the id and the secret, made up when not given', async () => {
    const res = await cli(t, 'webhooks', 'add', receiver.url('/all'), '--secret', 'correct horse battery staple');
    expect(res).toEqual({
      code: 0,
      stdout: [`Added webhook 1: ${receiver.url('/all')}`, '  rooms:  all', '  events: all', '  secret: correct horse battery staple'].join('\n'),
      stderr: '',
    });
    secrets.set('/all', 'correct horse battery staple');
    ids.set('/all', 1);
    // The room as the room spells it; the events in their documented order.
    const other = await cli(t, 'webhooks', 'add', receiver.url('/other'), '--room', 'other', '--events', 'edit,message');
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(/^Added webhook 2: http:\/\/127\.0\.0\.1:\d+\/other\n {2}rooms: {2}Other\n {2}events: message, edit\n {2}secret: [0-9a-f]{64}$/);
    secrets.set('/other', /secret: (\S+)$/m.exec(other.stdout)![1]);
    ids.set('/other', 2);
    await t.app.get(WebhookEvents).refresh();
  });

  it('refuses bad arguments (exit 2) and rooms that do not exist (exit 1)', async () => {
    const url = receiver.url('/x');
    expect(await cli(t, 'webhooks', 'add', url, '--events', 'message,bogus')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'sogs: --events takes a list from message,edit,delete,reaction,moderation,room, got "message,bogus"',
    });
    expect(await cli(t, 'webhooks', 'add', 'ftp://example.org/hook')).toMatchObject({ code: 2, stderr: 'sogs: invalid URL "ftp://example.org/hook": give an http:// or https:// URL' });
    expect(await cli(t, 'webhooks', 'add', url, '--room', 'nowhere')).toMatchObject({ code: 1, stderr: 'sogs: no such room: nowhere' });
    expect(await cli(t, 'webhooks', 'add', url, '--secret', '')).toMatchObject({ code: 2, stderr: 'sogs: the secret must not be empty' });
    expect(await cli(t, 'webhooks', 'remove', 'abc')).toMatchObject({ code: 2, stderr: 'sogs: "abc" is not a webhook id (see sogs webhooks list)' });
    expect(await cli(t, 'webhooks', 'remove', '99')).toMatchObject({ code: 1, stderr: 'sogs: no such webhook: 99' });
    expect(await cli(t, 'webhooks', 'deliveries', '99')).toMatchObject({ code: 1, stderr: 'sogs: no such webhook: 99' });
    expect(await cli(t, 'webhooks', 'retry', '99')).toMatchObject({ code: 1, stderr: 'sogs: no such webhook: 99' });
    expect(await cli(t, 'webhooks', 'retry', '1', '2')).toMatchObject({ code: 2, stderr: 'sogs: usage: sogs webhooks retry [ID]' });
    expect(await cli(t, 'webhooks', 'frobnicate')).toMatchObject({ code: 2 });
    expect((await cli(t, 'webhooks', 'list')).stdout.match(/^\d+ /gm)).toEqual(['1 ', '2 ']);
  });

  it('posts each event once, signed, with the documented body: message, edit, reaction, delete, moderation, room', async () => {
    const from = receiver.at('/all').length;
    const posted = await post(alice, 'lobby', 'hello world', 'Alice');
    t.clock.advance(1);
    await signed(t.server, alice, 'PUT', `/room/lobby/message/${posted.id}`, { json: content('hello again', 'Alice') }).expect(200);
    await signed(t.server, bob, 'PUT', `/room/lobby/reaction/${posted.id}/👍`).expect(200);
    await signed(t.server, bob, 'DELETE', `/room/lobby/reaction/${posted.id}/👍`).expect(200);
    const bobs = await post(bob, 'lobby', 'spam');
    await signed(t.server, mod, 'DELETE', `/room/lobby/message/${bobs.id}`).expect(200);
    await signed(t.server, alice, 'DELETE', `/room/lobby/message/${posted.id}`).expect(200);
    await signed(t.server, mod, 'POST', `/user/${bob.blindedId}/ban`, { json: { rooms: ['lobby'], timeout: 60 } }).expect(200);
    await signed(t.server, admin, 'PUT', '/room/lobby', { json: { name: 'The Lobby' } }).expect(200);
    // Nothing is sent from the request path: it waits for the delivery loop.
    expect(receiver.at('/all').length).toBe(from);

    expect(await deliver()).toBe(10);
    const got = bodies('/all', from);
    const seq = async (id: number) => (await t.database.query(`SELECT seqno FROM messages WHERE id = $1`, [id]))[0].seqno;
    const [postedAt, editedAt] = (await t.database.query(`SELECT posted, edited FROM messages WHERE id = $1`, [posted.id])).map((r) => [r.posted, r.edited])[0];
    // In the order of the changes; a moderator's deletion is a delete and a moderation event.
    expect(got.map((b) => [b.event, b.attempt])).toEqual(
      ['message', 'edit', 'reaction', 'reaction', 'message', 'delete', 'moderation', 'delete', 'moderation', 'room'].map((e) => [e, 1]),
    );
    const byEvent = (event: string) => got.filter((b) => b.event === event).map((b) => b.data);
    expect(byEvent('message')).toEqual([
      { room: 'lobby', id: posted.id, seqno: expect.any(Number), author: alice.blindedId, posted: postedAt, edited: null, text: 'hello world', display_name: 'Alice', attachments: 0 },
      { room: 'lobby', id: bobs.id, seqno: expect.any(Number), author: bob.blindedId, posted: bobs.posted, edited: null, text: 'spam', display_name: null, attachments: 0 },
    ]);
    expect(byEvent('edit')).toEqual([
      { room: 'lobby', id: posted.id, seqno: expect.any(Number), author: alice.blindedId, posted: postedAt, edited: expect.any(Number), text: 'hello again', display_name: 'Alice', attachments: 0 },
    ]);
    expect(editedAt).not.toBeNull();
    expect(byEvent('reaction')).toEqual([
      { room: 'lobby', id: posted.id, seqno: expect.any(Number), reaction: '👍', user: bob.blindedId, action: 'add' },
      { room: 'lobby', id: posted.id, seqno: expect.any(Number), reaction: '👍', user: bob.blindedId, action: 'remove' },
    ]);
    expect(byEvent('delete')).toEqual([
      { room: 'lobby', id: bobs.id, seqno: await seq(bobs.id), author: bob.blindedId, deleted_by: mod.blindedId },
      { room: 'lobby', id: posted.id, seqno: await seq(posted.id), author: alice.blindedId, deleted_by: alice.blindedId },
    ]);
    expect(byEvent('moderation')).toEqual([
      { room: 'lobby', action: 'delete_message', actor: mod.blindedId, target: bob.blindedId, details: { message: bobs.id } },
      { room: 'lobby', action: 'ban', actor: mod.blindedId, target: bob.blindedId, details: { until: expect.any(Number) } },
    ]);
    expect(byEvent('room')).toEqual([{ room: 'lobby', action: 'updated', actor: admin.blindedId, details: { name: 'The Lobby' } }]);
    // Seqnos grow with each change of the message, as the room's clients see them.
    const seqnos = got.filter((b) => b.data.id === posted.id && b.event !== 'moderation').map((b) => b.data.seqno);
    expect(seqnos).toEqual([...seqnos].sort((a, b) => a - b));
    expect(new Set(seqnos).size).toBe(seqnos.length);

    // Delivered once: nothing more is due, and the receiver got nothing twice.
    expect(await deliver()).toBe(0);
    expect(new Set(receiver.at('/all').map((r) => r.body.delivery)).size).toBe(receiver.at('/all').length);
    await signed(t.server, mod, 'POST', `/user/${bob.blindedId}/unban`, { json: { rooms: ['lobby'] } }).expect(200);
    await deliver();
  });

  it('respects the room and event filters of each webhook', async () => {
    const fromAll = receiver.at('/all').length;
    const fromOther = receiver.at('/other').length;
    // Quotes, backslashes, a NUL and emoji arrive as posted (they go through a json[] parameter).
    const tricky = 'in the "lobby" \\ {a,b} \u0000 👋';
    const inLobby = await post(alice, 'lobby', tricky);
    const inOther = await post(alice, 'other', 'in the other room');
    await signed(t.server, alice, 'PUT', `/room/other/message/${inOther.id}`, { json: content('edited in the other room') }).expect(200);
    await signed(t.server, alice, 'PUT', `/room/other/reaction/${inOther.id}/🎉`).expect(200);
    await signed(t.server, alice, 'DELETE', `/room/other/message/${inOther.id}`).expect(200);
    await deliver();
    // The second webhook takes messages and edits of the room Other only.
    expect(bodies('/other', fromOther).map((b) => [b.event, b.data.id, b.data.room, b.data.text])).toEqual([
      ['message', inOther.id, 'Other', 'in the other room'],
      ['edit', inOther.id, 'Other', 'edited in the other room'],
    ]);
    const toAll = bodies('/all', fromAll);
    expect(toAll[0].data.text).toBe(tricky);
    expect(toAll.map((b) => [b.event, b.data.id])).toEqual([
      ['message', inLobby.id],
      ['message', inOther.id],
      ['edit', inOther.id],
      ['reaction', inOther.id],
      ['delete', inOther.id],
    ]);
  });

  it('sends nothing for DMs, whispers or silently filtered posts; batch and sequence subrequests do send', async () => {
    const from = receiver.received.length;
    await signed(t.server, alice, 'POST', `/inbox/${bob.blindedId}`, { json: { message: b64(Buffer.from('a private word')) } }).expect(201);
    await post(mod, 'lobby', 'psst', undefined, { whisper_to: alice.blindedId });
    await post(mod, 'lobby', 'mods only', undefined, { whisper_mods: true });
    await t.app.get(RoomsService).update('lobby', { profanity_filter: true, profanity_silent: true });
    expect((await post(alice, 'lobby', 'oh shit')).filtered).toBe(true);
    await t.app.get(RoomsService).update('lobby', { profanity_filter: false });
    expect(await deliver()).toBe(0);
    expect(receiver.received.length).toBe(from);

    t.clock.advance(4);
    const batch = await signed(t.server, bob, 'POST', '/batch', {
      json: [{ method: 'POST', path: '/room/lobby/message', json: content('through a batch') }],
    }).expect(200);
    t.clock.advance(4);
    const sequence = await signed(t.server, bob, 'POST', '/sequence', {
      json: [{ method: 'POST', path: '/room/lobby/message', json: content('through a sequence') }],
    }).expect(200);
    expect([batch.body[0], sequence.body[0]]).toMatchObject([{ code: 201 }, { code: 201 }]);
    await deliver();
    expect(bodies('/all', receiver.at('/all').length - 2).map((b) => [b.event, b.data.id, b.data.text])).toEqual([
      ['message', batch.body[0].body.id, 'through a batch'],
      ['message', sequence.body[0].body.id, 'through a sequence'],
    ]);
  });

  it('records the events of admin commands: room changes, server-wide moderation, delete-all', async () => {
    const from = receiver.at('/all').length;
    await post(alice, 'lobby', 'one');
    await post(alice, 'lobby', 'two');
    const mine = await t.database.query(`SELECT id FROM messages WHERE room = $1 AND "user" = (SELECT id FROM users WHERE session_id = $2) AND data IS NOT NULL AND NOT filtered AND whisper IS NULL ORDER BY id`, [lobby.id, alice.blindedId]);
    expect(mine.length).toBeGreaterThan(2);
    // Her silently filtered post goes too, without an event.
    const [{ n: live }] = await t.database.query(`SELECT count(*)::int AS n FROM messages WHERE room = $1 AND "user" = (SELECT id FROM users WHERE session_id = $2) AND data IS NOT NULL`, [lobby.id, alice.blindedId]);
    expect(live).toBe(mine.length + 1);
    expect((await cli(t, 'rooms', 'add', 'third', '--name', 'Third room')).code).toBe(0);
    expect((await cli(t, 'bans', 'add', bob.blindedId, '--global')).code).toBe(0);
    expect((await cli(t, 'messages', 'delete-all', alice.blindedId, '--room', 'lobby')).code).toBe(0);
    expect((await cli(t, 'rooms', 'delete', 'third', '--yes')).code).toBe(0);
    await deliver();
    const server = t.serverKey.systemSessionId;
    const got = bodies('/all', from).filter((b) => b.event !== 'message');
    expect(got.map((b) => [b.event, b.data])).toEqual([
      ['room', { room: 'third', action: 'created', actor: server, details: { token: 'third', name: 'Third room' } }],
      ['moderation', { room: null, action: 'ban', actor: server, target: bob.blindedId, details: { until: null } }],
      ...mine.map((m) => ['delete', { room: 'lobby', id: m.id, seqno: expect.any(Number), author: alice.blindedId, deleted_by: server }]),
      ['moderation', { room: 'lobby', action: 'delete_all', actor: server, target: alice.blindedId, details: { messages: live } }],
      ['room', { room: 'third', action: 'deleted', actor: server, details: { token: 'third', name: 'Third room' } }],
    ]);
    expect((await cli(t, 'bans', 'remove', bob.blindedId, '--global')).code).toBe(0);
    await deliver();
  });

  it('retries a failing endpoint with exponential backoff, then marks the delivery failed after a day', async () => {
    receiver.answer = (r) => (r.path === '/fail' ? 500 : 200);
    const id = await addWebhook('/fail', '--room', 'lobby', '--events', 'delete');
    const doomed = await post(alice, 'lobby', 'doomed');
    await signed(t.server, alice, 'DELETE', `/room/lobby/message/${doomed.id}`).expect(200);
    const row = async () =>
      (await t.database.query(`SELECT id, status, attempts, next_attempt, created, last_status FROM webhook_deliveries WHERE webhook = $1`, [id]))[0];

    await deliver();
    const first = await row();
    expect(first).toMatchObject({ status: 'pending', attempts: 1, last_status: 500 });
    let gap = first.next_attempt - t.clock.now();
    expect(gap).toBeCloseTo(10, 0);
    // Not due yet: nothing is sent.
    expect(await deliver()).toBe(0);
    for (const wait of [10, 20, 40, 80]) {
      t.clock.advance(gap);
      expect(await deliver()).toBe(1);
      const r = await row();
      gap = r.next_attempt - t.clock.now();
      expect(gap).toBeCloseTo(wait * 2, 0);
    }
    expect((await row()).attempts).toBe(5);
    // The last attempt comes when the day is over, however long the backoff has grown.
    t.clock.advance(86_400);
    expect(await deliver()).toBe(1);
    expect(await row()).toMatchObject({ status: 'failed', attempts: 6, last_status: 500 });
    expect(await deliver()).toBe(0);

    const attempts = receiver.at('/fail').map((r) => checked(r, secrets.get('/fail')!));
    expect(attempts.map((b) => [b.delivery, b.attempt, b.event, b.data.id])).toEqual([1, 2, 3, 4, 5, 6].map((n) => [first.id, n, 'delete', doomed.id]));
    // The same event each time; only the attempt and its timestamp change.
    expect(new Set(attempts.map((b) => JSON.stringify(b.data))).size).toBe(1);

    const failed = await cli(t, 'webhooks', 'deliveries', String(id), '--failed');
    expect(failed.stdout).toMatch(new RegExp(`^${first.id} \\S+Z webhook ${id} delete failed after 6 attempts \\(last: HTTP 500\\)$`));
    const list = await cli(t, 'webhooks', 'list');
    expect(list.stdout).toContain(
      [`${id} ${receiver.url('/fail')}`, '  rooms:      lobby', '  events:     delete', '  deliveries: 0 delivered, 0 pending, 1 failed', `  last:       delivery ${first.id} failed, HTTP 500`].join('\n'),
    );
    expect(list.stdout).toMatch(/^1 http:\/\/127\.0\.0\.1:\d+\/all\n {2}rooms: {6}all\n {2}events: {5}all\n {2}deliveries: \d+ delivered, 0 pending, 0 failed\n {2}last: {7}delivery \d+ delivered, HTTP 200$/m);
    const all = await cli(t, 'webhooks', 'deliveries', '--limit', '2');
    expect(all.stdout.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${first.id} \\S+Z webhook ${id} delete failed after 6 attempts \\(last: HTTP 500\\)$`)),
      expect.stringMatching(/^\d+ \S+Z webhook 1 delete delivered \S+Z after 1 attempt \(HTTP 200\)$/),
    ]);
  });

  it('tries the failed deliveries once more with webhooks retry: failed again while the endpoint fails, then delivered; each attempt counted', async () => {
    const id = ids.get('/fail')!;
    const samples = async () => parseSamples(await t.app.get(Metrics).registry.metrics());
    const before = await samples();
    const row = async () => (await t.database.query(`SELECT status, attempts, last_status FROM webhook_deliveries WHERE webhook = $1`, [id]))[0];
    const sent = receiver.at('/fail').length;

    expect(await cli(t, 'webhooks', 'retry', String(id))).toEqual({ code: 0, stdout: '1 failed delivery will be tried again now', stderr: '' });
    expect(await row()).toMatchObject({ status: 'pending', attempts: 6 });
    expect(await deliver()).toBe(1);
    // Its retry window is long over: one failure and it is failed again.
    expect(await row()).toEqual({ status: 'failed', attempts: 7, last_status: 500 });
    expect(await deliver()).toBe(0);

    receiver.answer = () => 200;
    expect(await cli(t, 'webhooks', 'retry')).toEqual({ code: 0, stdout: '1 failed delivery will be tried again now', stderr: '' });
    expect(await deliver()).toBe(1);
    expect(await row()).toEqual({ status: 'delivered', attempts: 8, last_status: 200 });
    expect(receiver.at('/fail').slice(sent).map((r) => checked(r, secrets.get('/fail')!).attempt)).toEqual([7, 8]);
    expect(await cli(t, 'webhooks', 'retry')).toEqual({ code: 0, stdout: 'No failed deliveries.', stderr: '' });

    const after = await samples();
    const delta = (outcome: string) => valueOf(after, 'sogs_webhook_attempts_total', { outcome }) - valueOf(before, 'sogs_webhook_attempts_total', { outcome });
    expect(['delivered', 'retry', 'failed', 'abandoned'].map(delta)).toEqual([1, 0, 1, 0]);
  });

  it('records an error in place of a status when the endpoint cannot be reached', async () => {
    const id = await addWebhook('/gone', '--events', 'room');
    await t.database.query(`UPDATE webhooks SET url = 'http://127.0.0.1:1/gone' WHERE id = $1`, [id]);
    await signed(t.server, admin, 'PUT', '/room/lobby', { json: { description: 'unreachable' } }).expect(200);
    await deliver();
    const [row] = await t.database.query(`SELECT status, attempts, last_status, last_error FROM webhook_deliveries WHERE webhook = $1`, [id]);
    expect(row).toEqual({ status: 'pending', attempts: 1, last_status: null, last_error: 'ECONNREFUSED' });
    expect((await cli(t, 'webhooks', 'deliveries', String(id))).stdout).toMatch(/^\d+ \S+Z webhook \d+ room pending after 1 attempt \(last: ECONNREFUSED\), next \S+Z$/);
  });

  it('removes a webhook with its deliveries; it gets nothing more', async () => {
    for (const path of ['/fail', '/gone']) expect(await cli(t, 'webhooks', 'remove', String(ids.get(path)))).toEqual({ code: 0, stdout: `Removed webhook ${ids.get(path)} and its deliveries`, stderr: '' });
    const from = receiver.received.length;
    // Before this server's list of webhooks is refreshed, an event for a removed webhook is skipped.
    await signed(t.server, admin, 'PUT', '/room/lobby', { json: { description: 'after the removal' } }).expect(200);
    await t.app.get(WebhookEvents).refresh();
    await post(alice, 'lobby', 'after the removal');
    await deliver();
    expect(receiver.received.slice(from).map((r) => [r.path, r.body.event])).toEqual([
      ['/all', 'room'],
      ['/all', 'message'],
    ]);
    expect(await t.database.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook <> ALL($1::bigint[])`, [[1, 2]])).toEqual([{ n: 0 }]);
  });
});

/** The body of a delivery, after checking its headers and signature. */
function checked(r: Received, secret: string): Json {
  expect(r.headers['content-type']).toBe('application/json');
  expect(r.headers['x-sogs-signature']).toBe(expectedSignature(secret, r.raw));
  expect(r.headers['x-sogs-delivery']).toBe(String(r.body.delivery));
  expect(r.headers['x-sogs-event']).toBe(r.body.event);
  expect(r.headers['x-sogs-timestamp']).toBe(String(r.body.timestamp));
  expect(Object.keys(r.body)).toEqual(['delivery', 'event', 'at', 'timestamp', 'attempt', 'data']);
  expect(Number.isInteger(r.body.timestamp)).toBe(true);
  return r.body;
}
