import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ModerationService } from '../../src/moderation/moderation.service';
import { RoomsService } from '../../src/rooms/rooms.service';
import { UsersRepository } from '../../src/users/users.repository';
import { binaryBody } from '../support/binary-body';
import { InnerRequest, OnionClient } from '../support/onion-client';
import { SessionClient } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;
type Via = 'v4 aes-gcm' | 'v4 xchacha20' | 'v3';
const VIAS: Via[] = ['v4 aes-gcm', 'v4 xchacha20', 'v3'];

/**
 * What the Session apps do, through each onion transport: the desktop's poll, a post, an upload,
 * a reaction whose endpoint carries the raw emoji, a moderator /sequence. Replies are decoded the
 * way the desktop decodes them (v3: 2xx body, else {"status_code"}).
 */
describe.each(VIAS)('Session traffic through %s onion requests', (via) => {
  let t: TestApp;
  let onion: OnionClient;
  let alice: SessionClient;
  const token = 'Test-Room';
  const padded = Buffer.concat([Buffer.from('0a0a0a0568656c6c6f', 'hex'), Buffer.from([0x80, 0, 0])]);

  beforeAll(async () => {
    t = await createTestApp();
    onion = new OnionClient(t.serverKey.publicKey);
    await t.app.get(RoomsService).create({ token, name: 'Test room' });
    alice = t.newClient();
  });
  afterAll(() => t.close());

  /** Sends one inner request; returns status and parsed JSON as the desktop would see them. */
  async function send(inner: InnerRequest, as: SessionClient | null = alice): Promise<{ code: number; json?: any; raw: Buffer }> {
    const opts = as ? { signAs: as } : {};
    if (via === 'v3') {
      const req = onion.v3(inner, opts);
      const res = await request(t.server).post('/loki/v3/lsrpc').send(req.body);
      expect(res.status).toBe(200);
      const raw = req.decode(res.text);
      let json: any;
      try {
        json = JSON.parse(raw.toString());
      } catch {
        return { code: 200, raw };
      }
      const failed = json && typeof json === 'object' && !Array.isArray(json) && Object.keys(json).join() === 'status_code';
      return { code: failed ? json.status_code : 200, json, raw };
    }
    const req = onion.v4(inner, { ...opts, encType: via === 'v4 aes-gcm' ? 'aes-gcm' : 'xchacha20' });
    const res = await request(t.server).post('/oxen/v4/lsrpc').send(req.body).buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    const d = req.decode(res.body as Buffer);
    return { code: d.code, json: d.json, raw: d.raw };
  }
  const json = (value: unknown) => ({ headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) });

  it("answers the desktop's poll batch by position", async () => {
    const poll = [
      { method: 'GET', path: '/capabilities' },
      { method: 'GET', path: `/room/${token}/pollInfo/0` },
      { method: 'GET', path: `/room/${token}/messages/recent?reactors=5` },
      { method: 'GET', path: '/inbox' },
      { method: 'GET', path: '/outbox' },
    ];
    const { code, json: results } = await send({ method: 'POST', endpoint: '/batch', ...json(poll) });
    expect(code).toBe(200);
    expect(results).toHaveLength(5);
    expect(results[0]).toEqual({ code: 200, headers: { 'content-type': 'application/json' }, body: { capabilities: ['blind', 'reactions', 'sogs'] } });
    expect(results[1].body).toMatchObject({ token, read: true, write: true, upload: true, details: { token, name: 'Test room' } });
    for (const r of results.slice(2)) expect(r).toEqual({ code: 200, headers: { 'content-type': 'application/json' }, body: [] });
  });

  let messageId: number;
  it('posts a message and gets data and posted back', async () => {
    const body = { data: padded.toString('base64'), signature: randomBytes(64).toString('base64') };
    const { code, json: m } = await send({ method: 'POST', endpoint: `/room/${token}/message`, ...json(body) });
    expect(code).toBe(via === 'v3' ? 200 : 201); // v3 replies carry a 2xx body without its code
    expect(m).toMatchObject({ session_id: alice.blindedId, data: body.data, signature: body.signature, seqno: expect.any(Number), posted: expect.any(Number) });
    messageId = m.id;
  });

  it('uploads a file and downloads it', async () => {
    // v3 carries the body as a JSON string, so its uploads are text; v4 carries raw bytes.
    const file = via === 'v3' ? Buffer.from('plain text attachment ✓') : randomBytes(300_000);
    const up = await send({
      method: 'POST',
      endpoint: `/room/${token}/file`,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment; filename="notes.txt"' },
      body: file,
    });
    expect(up.json).toEqual({ id: expect.any(Number) });
    const down = await send({ method: 'GET', endpoint: `/room/${token}/file/${up.json.id}` });
    expect(down.code).toBe(200);
    expect(down.raw.equals(file)).toBe(true);
  });

  it('adds a reaction with the raw UTF-8 emoji in the endpoint', async () => {
    const add = await send({ method: 'PUT', endpoint: `/room/${token}/reaction/${messageId}/🦒🦍` });
    expect(add.json).toEqual({ added: true, seqno: expect.any(Number) });
    const since = await send({ method: 'GET', endpoint: `/room/${token}/messages/since/0?t=r&reactors=5` });
    const m = (since.json as Json[]).find((x) => x.id === messageId)!;
    expect(m.reactions).toEqual({ '🦒🦍': { index: 0, count: 1, reactors: [alice.blindedId], you: true } });
  });

  it('runs a moderator sequence: mute for a day', async () => {
    const system = (await t.app.get(UsersRepository).findById(0))!;
    const room = await t.app.get(RoomsService).get(token);
    const mod = t.newClient();
    await t.app.get(ModerationService).setModerator(system, mod.blindedId, { rooms: [room] }, { moderator: true });
    const seq = [
      { method: 'POST', path: `/room/${token}/permissions/${alice.blindedId}`, json: { write: false } },
      { method: 'POST', path: `/room/${token}/futurePermissions/${alice.blindedId}`, json: { write: true, in: 86400 } },
    ];
    const { json: results } = await send({ method: 'POST', endpoint: '/sequence', ...json(seq) }, mod);
    expect(results.map((r: Json) => r.code)).toEqual([200, 200]);
    expect(results[0].body).toEqual({ write: false });
    expect(results[1].body).toEqual([{ at: expect.any(Number), write: true }]);
    const refused = await send({ method: 'POST', endpoint: `/room/${token}/message`, ...json({ data: 'AA==', signature: randomBytes(64).toString('base64') }) });
    expect(refused.code).toBe(403);
  });

  it('rejects a replayed inner request inside the reply', async () => {
    const nonce = randomBytes(16);
    const headers = alice.headers({ method: 'GET', url: '/inbox', nonce });
    expect((await send({ method: 'GET', endpoint: '/inbox', headers }, null)).code).toBe(200);
    expect((await send({ method: 'GET', endpoint: '/inbox', headers }, null)).code).toBe(425);
  });
});

