/**
 * Unlisted rooms (issue #16): `sogs rooms add|update TOKEN --listed off` leaves a room out of
 * GET /rooms (but for its moderators, room or global) and out of the browser index; by token it
 * answers as any room: info, reading, posting, its page and QR code. Directly, through /batch and
 * through an onion request.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { binaryBody } from '../support/binary-body';
import { cli } from '../support/cli-runner';
import { OnionClient } from '../support/onion-client';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>;

describe('unlisted rooms', () => {
  let t: TestApp;
  let user: SessionClient, mod: SessionClient, otherMod: SessionClient, gmod: SessionClient;

  beforeAll(async () => {
    t = await createTestApp();
    [user, mod, otherMod, gmod] = [t.newClient(), t.newClient(), t.newClient(), t.newClient()];
    for (const c of [user, mod, otherMod, gmod]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    const setup = [
      await cli(t, 'rooms', 'add', 'open', '--name', 'Open'),
      await cli(t, 'rooms', 'add', 'hidden', '--name', 'Hidden', '--listed', 'off'),
      await cli(t, 'moderators', 'add', mod.blindedId, '--room', 'hidden'),
      await cli(t, 'moderators', 'add', otherMod.blindedId, '--room', 'open'),
      await cli(t, 'moderators', 'add', gmod.blindedId, '--global'),
    ];
    expect(setup.map((r) => [r.code, r.stderr])).toEqual(setup.map(() => [0, '']));
  });
  afterAll(() => t.close());

  const tokens = async (c: SessionClient | null) => ((await signed(t.server, c, 'GET', '/rooms').expect(200)).body as Json[]).map((r) => r.token);

  it('is stored unlisted and shown so by rooms list', async () => {
    expect(await t.database.query(`SELECT token, listed FROM rooms ORDER BY token`)).toEqual([
      { token: 'hidden', listed: false },
      { token: 'open', listed: true },
    ]);
    const list = await cli(t, 'rooms', 'list');
    expect(list.code).toBe(0);
    const [hidden, open] = list.stdout.split(/\n(?=\S)/);
    expect(hidden.split('\n').slice(0, 4)).toEqual([
      'hidden',
      '  name:         Hidden',
      `  join URL:     http://sogs.example.org/hidden?public_key=${t.serverKey.publicKeyHex}`,
      '  listed:       no',
    ]);
    expect(open).not.toContain('listed');
  });

  it('is left out of GET /rooms for anonymous callers, users and moderators of other rooms', async () => {
    expect(await tokens(null)).toEqual(['open']);
    expect(await tokens(user)).toEqual(['open']);
    expect(await tokens(otherMod)).toEqual(['open']);
  });

  it('is listed for its own moderators and global moderators, as they see rooms today', async () => {
    expect(await tokens(mod)).toEqual(['hidden', 'open']);
    expect(await tokens(gmod)).toEqual(['hidden', 'open']);
    const hidden = ((await signed(t.server, mod, 'GET', '/rooms').expect(200)).body as Json[])[0];
    expect(hidden).toMatchObject({ token: 'hidden', name: 'Hidden', moderator: true, read: true, write: true });
  });

  it('answers by token: room info, posting and reading', async () => {
    const info = await signed(t.server, null, 'GET', '/room/hidden').expect(200);
    expect(info.body).toMatchObject({ token: 'hidden', name: 'Hidden', read: true, write: true, upload: true });
    const data = randomBytes(50).toString('base64');
    const posted = await signed(t.server, user, 'POST', '/room/hidden/message', { json: { data, signature: randomBytes(64).toString('base64') } }).expect(201);
    const read = await signed(t.server, t.newClient(), 'GET', '/room/hidden/messages/recent').expect(200);
    expect(read.body.map((m: Json) => [m.id, m.data])).toEqual([[posted.body.id, data]]);
    await signed(t.server, user, 'GET', '/room/hidden/pollInfo/0').expect(200);
  });

  it('behaves the same through /batch and onion requests', async () => {
    const batch = await signed(t.server, user, 'POST', '/batch', {
      json: [
        { method: 'GET', path: '/rooms' },
        { method: 'GET', path: '/room/hidden' },
      ],
    }).expect(200);
    expect(batch.body.map((r: Json) => r.code)).toEqual([200, 200]);
    expect(batch.body[0].body.map((r: Json) => r.token)).toEqual(['open']);
    expect(batch.body[1].body.token).toBe('hidden');

    const onion = new OnionClient(t.serverKey.publicKey);
    const v4 = async (signAs: SessionClient) => {
      const req = onion.v4({ method: 'GET', endpoint: '/rooms' }, { signAs });
      const res = await request(t.server).post('/oxen/v4/lsrpc').set('content-type', 'application/octet-stream').send(req.body).buffer(true).parse(binaryBody).expect(200);
      const reply = req.decode(res.body as Buffer);
      expect(reply.code).toBe(200);
      return (reply.json as Json[]).map((r) => r.token);
    };
    expect(await v4(user)).toEqual(['open']);
    expect(await v4(mod)).toEqual(['hidden', 'open']);
  });

  it('is left out of the browser index; its page and QR code answer by token', async () => {
    const index = await request(t.server).get('/').expect(200);
    expect(index.text).toContain('href="/r/open/"');
    expect(index.text).not.toContain('hidden');
    const page = await request(t.server).get('/r/hidden').expect(200);
    expect(page.text).toContain('<h1>Hidden</h1>');
    expect(page.text).toContain(`http://sogs.example.org/hidden?public_key=${t.serverKey.publicKeyHex}`);
    const qr = await request(t.server).get('/r/hidden/invite.png').buffer(true).parse(binaryBody).expect(200);
    expect(qr.headers['content-type']).toBe('image/png');
  });

  it('is listed again with --listed on; a bad value is a usage error', async () => {
    expect(await cli(t, 'rooms', 'update', 'hidden', '--listed', 'maybe')).toEqual({ code: 2, stdout: '', stderr: 'sogs: --listed takes on or off, got "maybe"' });
    expect((await cli(t, 'rooms', 'update', 'hidden', '--listed', 'on')).code).toBe(0);
    expect(await tokens(null)).toEqual(['hidden', 'open']);
    expect((await request(t.server).get('/').expect(200)).text).toContain('href="/r/hidden/"');
    expect((await cli(t, 'rooms', 'list')).stdout).not.toContain('listed');
    expect((await cli(t, 'rooms', 'update', 'hidden', '--listed', 'off')).code).toBe(0);
    expect(await tokens(null)).toEqual(['open']);
  });
});
