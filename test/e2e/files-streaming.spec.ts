import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { RoomsService } from '../../src/rooms/rooms.service';
import { signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

/** Direct uploads are streamed to a temporary file and hashed on the way (never buffered whole). */
describe('streamed uploads', () => {
  let t: TestApp;
  const incoming = () => path.join(t.dataDir, 'uploads', 'incoming');
  const leftovers = () => (fs.existsSync(incoming()) ? fs.readdirSync(incoming()) : []);
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(RoomsService).create({ token: 'up' });
  });
  afterAll(() => t.close());

  it('verifies the signature over the streamed bytes and stores them', async () => {
    const alice = t.newClient();
    const file = randomBytes(2_000_000);
    const res = await signed(t.server, alice, 'POST', '/room/up/file', { body: file }).expect(201);
    const down = await signed(t.server, alice, 'GET', `/room/up/file/${res.body.id}`);
    expect(Buffer.compare(Buffer.from(down.body), file)).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it('rejects bytes changed after signing, and leaves no temporary file behind', async () => {
    const alice = t.newClient();
    const file = randomBytes(100_000);
    const headers = alice.headers({ method: 'POST', url: '/room/up/file', body: file });
    const tampered = Buffer.from(file);
    tampered[50_000] ^= 1;
    const res = await request(t.server).post('/room/up/file').set(headers).set('content-type', 'application/octet-stream').send(tampered);
    expect(res.status).toBe(401);
    expect(res.text).toBe('Invalid authentication: X-SOGS-Signature verification failed');
    expect(leftovers()).toEqual([]);
  });

  it('cleans up after a refused upload (no permission)', async () => {
    const room = await t.app.get(RoomsService).create({ token: 'readonly', write: false });
    const bob = t.newClient();
    const res = await signed(t.server, bob, 'POST', `/room/${room.token}/file`, { body: randomBytes(10_000) });
    expect(res.status).toBe(403);
    expect(leftovers()).toEqual([]);
  });
});
