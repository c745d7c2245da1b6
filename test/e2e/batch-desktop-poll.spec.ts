import { randomBytes } from 'node:crypto';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

/**
 * The Session desktop's poll (sogs-clients.md §0 item 6, §2.3): one signed POST /batch, compact
 * JSON, labelled application/json; results read by position, one per subrequest, JSON bodies
 * embedded as values and labelled exactly `application/json`.
 */
describe('the desktop poll batch', () => {
  let t: TestApp;
  let room: Room;
  let alice: SessionClient;
  let bob: SessionClient;

  beforeAll(async () => {
    t = await createTestApp();
    room = await t.app.get(RoomsService).create({ token: 'Test-Room', name: 'Test room' });
    alice = t.newClient();
    bob = t.newClient();
    for (const c of [alice, bob]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
  });
  afterAll(() => t.close());

  /** The body the desktop builds: capabilities, then per room pollInfo/0 and messages, then inbox/outbox. */
  const pollBody = (messagesPath: string) => [
    { method: 'GET', path: '/capabilities' },
    { method: 'GET', path: `/room/${room.token}/pollInfo/0` },
    { method: 'GET', path: messagesPath },
    { method: 'GET', path: '/inbox' },
    { method: 'GET', path: '/outbox' },
  ];

  async function poll(client: SessionClient, messagesPath: string): Promise<Json[]> {
    const res = await signed(t.server, client, 'POST', '/batch', { json: pollBody(messagesPath) });
    expect(res.status).toBe(200);
    const results = res.body as Json[];
    expect(results).toHaveLength(5);
    for (const r of results) {
      expect(Object.keys(r).sort()).toEqual(['body', 'code', 'headers']);
      expect(r.headers['content-type']).toBe('application/json');
      expect(typeof r.body).not.toBe('string');
    }
    return results;
  }

  it('answers the first poll (no seqno yet) by position', async () => {
    const [caps, info, messages, inbox, outbox] = await poll(alice, `/room/${room.token}/messages/recent?reactors=5`);
    expect(caps).toEqual({ code: 200, headers: { 'content-type': 'application/json' }, body: { capabilities: ['blind', 'reactions', 'sogs'] } });
    expect(info.code).toBe(200);
    expect(info.body.token).toBe('Test-Room');
    expect(info.body).toMatchObject({ read: true, write: true });
    expect(messages).toEqual({ code: 200, headers: { 'content-type': 'application/json' }, body: [] });
    expect(inbox).toEqual({ code: 200, headers: { 'content-type': 'application/json' }, body: [] });
    expect(outbox).toEqual({ code: 200, headers: { 'content-type': 'application/json' }, body: [] });
  });

  it('delivers a new message and a DM on the next poll (since/<seqno>?t=r&reactors=5)', async () => {
    const data = randomBytes(40).toString('base64');
    const signature = randomBytes(64).toString('base64');
    const posted = await signed(t.server, bob, 'POST', `/room/${room.token}/message`, { json: { data, signature, files: [] } }).expect(201);
    await signed(t.server, bob, 'POST', `/inbox/${alice.blindedId}`, { json: { message: randomBytes(30).toString('base64') } }).expect(201);

    const [, info, messages, inbox] = await poll(alice, `/room/${room.token}/messages/since/0?t=r&reactors=5`);
    expect(info.body.token).toBe('Test-Room');
    expect(messages.code).toBe(200);
    expect(messages.body).toHaveLength(1);
    expect(messages.body[0]).toMatchObject({ id: posted.body.id, session_id: bob.blindedId, data, signature });
    expect(messages.body[0].seqno).toBeGreaterThanOrEqual(1);
    expect(typeof messages.body[0].posted).toBe('number');
    expect(inbox.body).toHaveLength(1);
    expect(inbox.body[0].sender).toBe(bob.blindedId);

    // Nothing newer: the message list is empty, still one result per subrequest.
    const [, , again] = await poll(alice, `/room/${room.token}/messages/since/${messages.body[0].seqno}?t=r&reactors=5`);
    expect(again.body).toEqual([]);
  });

  it('keeps positions when a room subrequest fails (unknown room: 404 in place)', async () => {
    const res = await signed(t.server, alice, 'POST', '/batch', {
      json: [
        { method: 'GET', path: '/capabilities' },
        { method: 'GET', path: '/room/no-such-room/pollInfo/0' },
        { method: 'GET', path: '/room/no-such-room/messages/recent?reactors=5' },
        { method: 'GET', path: '/outbox' },
      ],
    }).expect(200);
    expect(res.body.map((r: Json) => r.code)).toEqual([200, 404, 404, 200]);
    expect(res.body[1].headers).toEqual({ 'content-type': 'text/plain; charset=utf-8' });
    expect(typeof res.body[1].body).toBe('string');
  });
});
