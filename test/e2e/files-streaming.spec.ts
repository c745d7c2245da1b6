import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { CHUNK_SIZE } from '../../src/files/database-file-storage';
import { RoomsService } from '../../src/rooms/rooms.service';
import { FILE_STORAGES, leftovers, storedKeys } from '../support/file-storage';
import { signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Direct uploads are written to the file storage as they arrive and hashed on the way (never
 * buffered whole); downloads are streamed back. Whatever is refused or broken off leaves nothing.
 */
describe.each(FILE_STORAGES)('streamed uploads (%s storage)', (storage) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_FILE_STORAGE: storage } });
    await t.app.get(RoomsService).create({ token: 'up' });
  });
  afterAll(() => t.close());

  it('verifies the signature over the streamed bytes and stores them', async () => {
    const alice = t.newClient();
    const file = randomBytes(2_000_000);
    const res = await signed(t.server, alice, 'POST', '/room/up/file', { body: file }).expect(201);
    const down = await signed(t.server, alice, 'GET', `/room/up/file/${res.body.id}`);
    expect(down.headers['content-length']).toBe('2000000');
    expect(Buffer.compare(Buffer.from(down.body), file)).toBe(0);
    expect(await leftovers(t)).toEqual([]);
    if (storage === 'database') {
      // 256 KiB chunks, the last one shorter; nothing left marked incoming.
      const [{ path: key }] = await t.database.query<{ path: string }>(`SELECT path FROM files WHERE id = $1`, [res.body.id]);
      const chunks = await t.database.query<{ chunk: number; size: number; incoming_since: number | null }>(
        `SELECT chunk, octet_length(data) AS size, incoming_since FROM file_chunks WHERE key = $1 ORDER BY chunk`,
        [key],
      );
      const full = Math.floor(2_000_000 / CHUNK_SIZE);
      expect(chunks).toEqual([
        ...Array.from({ length: full }, (_, chunk) => ({ chunk, size: CHUNK_SIZE, incoming_since: null })),
        { chunk: full, size: 2_000_000 - full * CHUNK_SIZE, incoming_since: null },
      ]);
    }
  });

  it('rejects bytes changed after signing, and leaves nothing behind', async () => {
    const alice = t.newClient();
    const file = randomBytes(600_000);
    const headers = alice.headers({ method: 'POST', url: '/room/up/file', body: file });
    const tampered = Buffer.from(file);
    tampered[50_000] ^= 1;
    const before = await storedKeys(t);
    const res = await request(t.server).post('/room/up/file').set(headers).set('content-type', 'application/octet-stream').send(tampered);
    expect(res.status).toBe(401);
    expect(res.text).toBe('Invalid authentication: X-SOGS-Signature verification failed');
    expect(await storedKeys(t)).toEqual(before);
  });

  it('cleans up after a refused upload (no permission)', async () => {
    const room = await t.app.get(RoomsService).create({ token: 'readonly', write: false });
    const bob = t.newClient();
    const before = await storedKeys(t);
    const res = await signed(t.server, bob, 'POST', `/room/${room.token}/file`, { body: randomBytes(600_000) });
    expect(res.status).toBe(403);
    expect(await storedKeys(t)).toEqual(before);
  });

  it('removes what was written when the client goes away mid-upload', async () => {
    const alice = t.newClient();
    const url = '/room/up/file';
    const file = randomBytes(2_000_000);
    const before = await storedKeys(t);
    if (!t.server.listening) await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    const { port } = t.server.address() as AddressInfo;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: url, headers: { 'content-length': String(file.length), ...alice.headers({ method: 'POST', url, body: file }) } });
    req.on('error', () => undefined);
    req.write(file.subarray(0, 3 * CHUNK_SIZE));
    // Once part of it is in the storage, the client goes away.
    await until(async () => (await storedKeys(t)).length > before.length);
    req.destroy();
    await until(async () => (await storedKeys(t)).length === before.length);
    expect(await storedKeys(t)).toEqual(before);
    expect(await t.database.query(`SELECT count(*)::int AS n FROM files`)).toEqual([{ n: 1 }]);
  });
});

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
