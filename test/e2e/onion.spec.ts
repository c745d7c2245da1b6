import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { bencodeList, buildOnionEnvelope, onionEncrypt, onionKeyForClient, x25519PublicKey } from '../../src/crypto';
import { binaryBody } from '../support/binary-body';
import { OnionClient } from '../support/onion-client';
import { RoomsService } from '../../src/rooms/rooms.service';
import { ModerationService } from '../../src/moderation/moderation.service';
import { UsersRepository } from '../../src/users/users.repository';
import { signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

const CAPS = { capabilities: ['blind', 'reactions', 'sogs'] };

describe('onion requests', () => {
  let t: TestApp;
  let onion: OnionClient;
  beforeAll(async () => {
    t = await createTestApp();
    onion = new OnionClient(t.serverKey.publicKey);
  });
  afterAll(() => t.close());

  async function v4(req: ReturnType<OnionClient['v4']>) {
    const res = await request(t.server)
      .post('/oxen/v4/lsrpc')
      .set('content-type', 'application/octet-stream')
      .send(req.body)
      .buffer(true)
      .parse(binaryBody);
    expect(res.status).toBe(200);
    return req.decode(res.body as Buffer);
  }

  async function v3(req: ReturnType<OnionClient['v3']>, path = '/loki/v3/lsrpc') {
    const res = await request(t.server).post(path).send(req.body);
    expect(res.status).toBe(200);
    return req.decode(res.text);
  }

  it.each([
    ['aes-gcm without enc_type (desktop)', { encType: 'aes-gcm' as const, sendEncType: false }],
    ['aes-gcm named', { encType: 'aes-gcm' as const, sendEncType: true }],
    ['xchacha20 (libsession clients)', { encType: 'xchacha20' as const }],
  ])('v4 with %s: GET /capabilities', async (_n, opts) => {
    const reply = await v4(onion.v4({ method: 'GET', endpoint: '/capabilities' }, opts));
    expect(reply).toEqual({ code: 200, headers: { 'content-type': 'application/json' }, raw: expect.any(Buffer), json: CAPS });
  });

  it('accepts the enc_type aliases gcm and xchacha20-poly1305', async () => {
    for (const [alias, encType] of [
      ['gcm', 'aes-gcm'],
      ['xchacha20-poly1305', 'xchacha20'],
    ] as const) {
      const req = onion.v4({ method: 'GET', endpoint: '/capabilities' }, { encType, sendEncType: false });
      const body = withMeta(req.body, { enc_type: alias });
      const res = await request(t.server).post('/oxen/v4/lsrpc').send(body).buffer(true).parse(binaryBody);
      expect(req.decode(res.body as Buffer).json).toEqual(CAPS);
    }
  });

  it('authenticates the inner request: a DM sent and read through onion requests', async () => {
    const alice = t.newClient();
    const bob = t.newClient();
    await signed(t.server, bob, 'GET', '/capabilities').expect(200);
    const body = Buffer.from(JSON.stringify({ message: Buffer.from('hi bob').toString('base64') }));
    const sent = await v4(onion.v4({ method: 'POST', endpoint: `/inbox/${bob.blindedId}`, headers: { 'Content-Type': 'application/json' }, body }, { signAs: alice }));
    expect(sent.code).toBe(201);
    expect(sent.json).toMatchObject({ sender: alice.blindedId, recipient: bob.blindedId });
    const inbox = await v4(onion.v4({ method: 'GET', endpoint: '/inbox' }, { signAs: bob, encType: 'xchacha20' }));
    expect(inbox.code).toBe(200);
    expect(inbox.json).toEqual([expect.objectContaining({ message: Buffer.from('hi bob').toString('base64') })]);
  });

  it('rejects a replayed inner request inside the reply (same nonce, fresh onion encryption)', async () => {
    const alice = t.newClient();
    const nonce = randomBytes(16);
    const headers = alice.headers({ method: 'GET', url: '/inbox', nonce });
    expect((await v4(onion.v4({ method: 'GET', endpoint: '/inbox', headers }))).code).toBe(200);
    const replay = await v4(onion.v4({ method: 'GET', endpoint: '/inbox', headers }, { encType: 'xchacha20' }));
    expect(replay.code).toBe(425);
    expect(replay.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(replay.raw.toString()).toBe('Invalid authentication: X-SOGS-Nonce cannot be reused');
  });

  it('signs raw UTF-8 endpoints the same as percent-encoded ones', async () => {
    const alice = t.newClient();
    for (const endpoint of ['/nothing/🍍', '/nothing/%F0%9F%8D%8D']) {
      const reply = await v4(onion.v4({ method: 'GET', endpoint }, { signAs: alice }));
      expect(reply.code).toBe(404); // authenticated fine, then no such route
    }
  });

  it('answers errors inside the reply with exact content types', async () => {
    const reply = await v4(onion.v4({ method: 'GET', endpoint: '/inbox' }));
    expect(reply).toMatchObject({ code: 401, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    expect(reply.raw.toString()).toBe('X-SOGS-* request authentication required');
  });

  it('ignores X-SOGS-* headers on the outer request', async () => {
    const alice = t.newClient();
    const req = onion.v4({ method: 'GET', endpoint: '/inbox' });
    const outer = alice.headers({ method: 'POST', url: '/oxen/v4/lsrpc', body: req.body });
    const res = await request(t.server).post('/oxen/v4/lsrpc').set(outer).send(req.body).buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    expect(req.decode(res.body as Buffer).code).toBe(401);
  });

  it('runs a batch inside an onion request', async () => {
    const alice = t.newClient();
    const batch = Buffer.from(JSON.stringify([{ method: 'GET', path: '/capabilities' }, { method: 'GET', path: '/inbox' }]));
    const reply = await v4(onion.v4({ method: 'POST', endpoint: '/batch', headers: { 'Content-Type': 'application/json' }, body: batch }, { signAs: alice }));
    expect(reply.code).toBe(200);
    expect(reply.json).toEqual([
      { code: 200, headers: { 'content-type': 'application/json' }, body: CAPS },
      { code: 200, headers: { 'content-type': 'application/json' }, body: [] },
    ]);
  });

  describe('room traffic as Session apps send it', () => {
    const data = Buffer.concat([Buffer.from('0a0a0a0568656c6c6f', 'hex'), Buffer.from([0x80, 0, 0, 0])]);
    let alice: ReturnType<TestApp['newClient']>;
    beforeAll(async () => {
      await t.app.get(RoomsService).create({ token: 'onion-room', name: 'Onion room' });
      alice = t.newClient();
    });

    it.each(['aes-gcm', 'xchacha20'] as const)('posts a message through v4 (%s), data echoed byte for byte', async (encType) => {
      t.clock.advance(20); // past the post rate limit window
      const json = { data: data.toString('base64'), signature: randomBytes(64).toString('base64') };
      const body = Buffer.from(JSON.stringify(json));
      const reply = await v4(
        onion.v4({ method: 'POST', endpoint: '/room/onion-room/message', headers: { 'Content-Type': 'application/json' }, body }, { signAs: alice, encType }),
      );
      expect(reply.code).toBe(201);
      expect(reply.json).toMatchObject({ session_id: alice.blindedId, data: json.data, signature: json.signature, reactions: {} });
    });

    it('posts through v3 with the body as a JSON string', async () => {
      t.clock.advance(20);
      const json = { data: data.toString('base64'), signature: randomBytes(64).toString('base64') };
      const reply = await v3(onion.v3({ method: 'POST', endpoint: '/room/onion-room/message', body: Buffer.from(JSON.stringify(json)) }, { signAs: alice }));
      expect(JSON.parse(reply.toString())).toMatchObject({ session_id: alice.blindedId, data: json.data });
    });

    it.each(['aes-gcm', 'xchacha20'] as const)('uploads and downloads a 10 MB file inside v4 requests (%s)', async (encType) => {
      const file = randomBytes(t.config.uploadMaxBytes);
      const up = await v4(
        onion.v4(
          { method: 'POST', endpoint: '/room/onion-room/file', headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': "attachment; filename*=UTF-8''big.bin" }, body: file },
          { signAs: alice, encType },
        ),
      );
      expect(up.code).toBe(201);
      const id = (up.json as { id: number }).id;
      const down = await v4(onion.v4({ method: 'GET', endpoint: `/room/onion-room/file/${id}` }, { signAs: alice, encType }));
      expect(down.code).toBe(200);
      expect(down.headers['content-type']).toBe('application/octet-stream');
      expect(down.headers['content-disposition']).toBe("attachment; filename*=UTF-8''big.bin");
      expect(down.raw.equals(file)).toBe(true);
    }, 60_000);

    it.each(['aes-gcm', 'xchacha20', 'v3'] as const)('runs a moderator /sequence (ban and delete all) through %s', async (via) => {
      const system = (await t.app.get(UsersRepository).findById(0))!;
      const room = await t.app.get(RoomsService).get('onion-room');
      const mod = t.newClient();
      const spammer = t.newClient();
      await t.app.get(ModerationService).setModerator(system, mod.blindedId, { rooms: [room] }, { moderator: true });
      t.clock.advance(20);
      const post = { data: data.toString('base64'), signature: randomBytes(64).toString('base64') };
      await signed(t.server, spammer, 'POST', '/room/onion-room/message', { json: post }).expect(201);
      const sequence = Buffer.from(
        JSON.stringify([
          { method: 'POST', path: `/user/${spammer.blindedId}/ban`, json: { rooms: ['onion-room'], timeout: 86400 } },
          { method: 'DELETE', path: `/room/onion-room/all/${spammer.blindedId}` },
        ]),
      );
      const inner = { method: 'POST' as const, endpoint: '/sequence', headers: { 'Content-Type': 'application/json' }, body: sequence };
      const results =
        via === 'v3'
          ? JSON.parse((await v3(onion.v3(inner, { signAs: mod }))).toString())
          : (await v4(onion.v4(inner, { signAs: mod, encType: via }))).json;
      expect(results).toEqual([
        { code: 200, headers: { 'content-type': 'application/json' }, body: {} },
        { code: 200, headers: { 'content-type': 'application/json' }, body: {} },
      ]);
      const res = await signed(t.server, spammer, 'GET', '/room/onion-room/messages/recent');
      expect(res.status).toBe(403);
    });

    it('adds a reaction whose endpoint carries the raw UTF-8 emoji, as the desktop sends it', async () => {
      const recent = await v4(onion.v4({ method: 'GET', endpoint: '/room/onion-room/messages/recent' }, { signAs: alice }));
      const id = (recent.json as Array<{ id: number }>)[0].id;
      const reply = await v4(onion.v4({ method: 'PUT', endpoint: `/room/onion-room/reaction/${id}/🍍` }, { signAs: alice, encType: 'xchacha20' }));
      expect(reply.code).toBe(200);
      expect(reply.json).toEqual({ added: true, seqno: expect.any(Number) });
      const since = await v4(onion.v4({ method: 'GET', endpoint: '/room/onion-room/messages/since/0?t=r&reactors=5' }, { signAs: alice }));
      const message = (since.json as Array<{ id: number; reactions: Record<string, unknown> }>).find((m) => m.id === id)!;
      expect(message.reactions).toEqual({ '🍍': { index: 0, count: 1, reactors: [alice.blindedId], you: true } });
    });
  });

  it.each([
    ['not bencode', Buffer.from('hello')],
    ['three parts', bencodeList(['{"method":"GET","endpoint":"/capabilities"}', 'a', 'b'])],
    ['meta not JSON', bencodeList(['{nope'])],
    ['endpoint without slash', bencodeList(['{"method":"GET","endpoint":"capabilities"}'])],
    ['unknown method', bencodeList(['{"method":"PATCH","endpoint":"/capabilities"}'])],
    ['non-string header', bencodeList(['{"method":"GET","endpoint":"/capabilities","headers":{"a":1}}'])],
    ['empty list', Buffer.from('le')],
  ])('answers a bad inner request (%s) with an encrypted 400', async (_n, plaintext) => {
    const { body, key } = rawV4(t.serverKey.publicKey, plaintext);
    const res = await request(t.server).post('/oxen/v4/lsrpc').send(body).buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    const reply = new OnionReply(key).open(res.body as Buffer);
    expect(reply).toEqual({ meta: { code: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } }, body: 'Invalid v4 onion request' });
  });

  describe('envelopes that cannot be opened get a plain 400', () => {
    const good = () => onion.v4({ method: 'GET', endpoint: '/capabilities' }).body;
    const cases: Array<[string, () => Buffer]> = [
      ['empty', () => Buffer.alloc(0)],
      ['garbage', () => randomBytes(200)],
      ['truncated', () => good().subarray(0, 40)],
      ['length prefix beyond the body', () => Buffer.concat([Buffer.from([0xff, 0xff, 0, 0]), good().subarray(4)])],
      ['no ephemeral key', () => withMeta(good(), { ephemeral_key: undefined })],
      ['bad ephemeral key', () => withMeta(good(), { ephemeral_key: 'zz' })],
      ['unknown enc_type', () => withMeta(good(), { enc_type: 'rot13' })],
      ['encrypted for another server', () => new OnionClient(x25519PublicKey(randomBytes(32))).v4({ method: 'GET', endpoint: '/capabilities' }).body],
      ['tampered ciphertext', () => flipByte(good(), 30)],
      ['metadata not JSON', () => Buffer.concat([good().subarray(0, good().readUInt32LE(0) + 4), Buffer.from('{')])],
    ];
    it.each(cases)('%s', async (_n, body) => {
      for (const path of ['/oxen/v4/lsrpc', '/loki/v3/lsrpc']) {
        const res = await request(t.server).post(path).send(body());
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      }
    });

    it('oversized', async () => {
      const res = await request(t.server).post('/oxen/v4/lsrpc').set('content-type', 'application/octet-stream').send(Buffer.alloc(t.config.uploadMaxBytes + 2 * 1024 * 1024));
      expect(res.status).toBe(400);
    });
  });

  describe('v3', () => {
    it.each(['/loki/v3/lsrpc', '/oxen/v3/lsrpc'])('%s returns the base64 encrypted body', async (path) => {
      const plain = await v3(onion.v3({ method: 'GET', endpoint: '/capabilities' }), path);
      expect(JSON.parse(plain.toString())).toEqual(CAPS);
    });

    it('collapses errors to {"status_code": N}', async () => {
      expect(JSON.parse((await v3(onion.v3({ method: 'GET', endpoint: '/inbox' }))).toString())).toEqual({ status_code: 401 });
    });

    it('answers legacy endpoints (no leading slash) with 404', async () => {
      expect(JSON.parse((await v3(onion.v3({ method: 'GET', endpoint: 'rooms' }))).toString())).toEqual({ status_code: 404 });
    });

    it('accepts the "null" body of old Android GETs and refuses other GET bodies', async () => {
      const nullBody = onion.v3({ method: 'GET', endpoint: '/capabilities', body: Buffer.from('null') });
      expect(JSON.parse((await v3(nullBody)).toString())).toEqual(CAPS);
      const withBody = onion.v3({ method: 'GET', endpoint: '/capabilities', body: Buffer.from('{}') });
      expect(JSON.parse((await v3(withBody)).toString())).toEqual({ status_code: 400 });
    });

    it('authenticates a signed POST whose string body is hashed as UTF-8', async () => {
      const alice = t.newClient();
      const bob = t.newClient();
      await signed(t.server, bob, 'GET', '/capabilities').expect(200);
      const body = Buffer.from(JSON.stringify({ message: Buffer.from('v3 hello').toString('base64') }));
      const reply = await v3(onion.v3({ method: 'POST', endpoint: `/inbox/${bob.blindedId}`, body }, { signAs: alice }));
      expect(JSON.parse(reply.toString())).toMatchObject({ sender: alice.blindedId, recipient: bob.blindedId });
    });
  });
});

/** A v4 body around an arbitrary plaintext, for malformed inner requests. */
function rawV4(serverPk: Buffer, plaintext: Buffer) {
  const priv = randomBytes(32);
  const pub = x25519PublicKey(priv);
  const key = onionKeyForClient('xchacha20', priv, pub, serverPk);
  const blob = onionEncrypt('xchacha20', key, plaintext);
  return { key, body: buildOnionEnvelope(blob, JSON.stringify({ ephemeral_key: pub.toString('hex'), enc_type: 'xchacha20' })) };
}

class OnionReply {
  constructor(private readonly key: Buffer) {}
  open(reply: Buffer) {
    const { onionDecrypt, bdecodeList } = require('../../src/crypto') as typeof import('../../src/crypto');
    const parts = bdecodeList(onionDecrypt('xchacha20', this.key, reply)!)!;
    return { meta: JSON.parse(parts[0].toString()), body: parts[1].toString() };
  }
}

/** Replaces fields of the envelope's routing JSON (undefined removes one). */
function withMeta(body: Buffer, changes: Record<string, unknown>): Buffer {
  const n = body.readUInt32LE(0);
  const meta = { ...JSON.parse(body.subarray(4 + n).toString()), ...changes };
  return Buffer.concat([body.subarray(0, 4 + n), Buffer.from(JSON.stringify(meta))]);
}

function flipByte(b: Buffer, i: number): Buffer {
  const c = Buffer.from(b);
  c[i] ^= 1;
  return c;
}
