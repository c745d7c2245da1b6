/**
 * File endpoints (§1.6, §9.1, §9.2, §9.5) over HTTP: upload and download with exact headers,
 * filename round trips (the reference suite's fuzzed, unicode, `/`, NUL, backslash and quote
 * names), permissions, and the size limit (413 with nothing stored).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ModerationService } from '../../src/moderation/moderation.service';
import { Room } from '../../src/rooms/room.entity';
import { RoomsService } from '../../src/rooms/rooms.service';
import { User } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { binaryBody } from '../support/binary-body';
import { FILE_STORAGES, leftovers, storedBytes, storedKeys } from '../support/file-storage';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

interface FileRow {
  id: number;
  room: number;
  uploader: number;
  message: number | null;
  size: number;
  uploaded: number;
  expiry: number | null;
  filename: string | null;
  path: string;
}

/** RFC 5987 value written independently of the server: UTF-8 bytes, `%XX` except A-Za-z0-9_.-~ */
function rfc5987(name: string): string {
  return Array.from(Buffer.from(name, 'utf8'))
    .map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).padStart(2, '0').toUpperCase()))
    .join('');
}
const pct = (bytes: Buffer) => Array.from(bytes, (b) => '%' + b.toString(16).padStart(2, '0')).join('');
const httpDate = (unix: number) => new Date(unix * 1000).toUTCString();

describe.each(FILE_STORAGES)('file endpoints (%s storage)', (storage) => {
  let t: TestApp;
  let system: User;
  let moderation: ModerationService;
  let user: SessionClient, user2: SessionClient;
  let room: Room;
  let rooms = 0;

  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_FILE_STORAGE: storage } });
    system = (await t.app.get(UsersRepository).findById(0))!;
    moderation = t.app.get(ModerationService);
    [user, user2] = [t.newClient(), t.newClient()];
    for (const c of [user, user2]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    room = await newRoom();
  });
  afterAll(() => t.close());

  const newRoom = (flags: { read?: boolean; write?: boolean; upload?: boolean } = {}) =>
    t.app.get(RoomsService).create({ token: `files-${++rooms}`, name: 'Files', ...flags });
  const upload = (c: SessionClient | null, r: Room, body: Buffer, headers: Record<string, string> = {}) =>
    signed(t.server, c, 'POST', `/room/${r.token}/file`, { body }).set(headers);
  const download = (c: SessionClient | null, url: string) => signed(t.server, c, 'GET', url).buffer(true).parse(binaryBody);
  const fileRow = async (id: number) => (await t.database.query<FileRow>(`SELECT * FROM files WHERE id = $1`, [id]))[0];
  const fileCount = async () => (await t.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM files`))[0].n;
  const storedFiles = async () => (await storedKeys(t)).length;

  /** Uploads with the given Content-Disposition and returns the stored row. */
  async function roundTrip(disposition: string | undefined, body = randomBytes(100)): Promise<{ row: FileRow; res: request.Response }> {
    const up = await upload(user, room, body, disposition === undefined ? {} : { 'content-disposition': disposition }).expect(201);
    const row = await fileRow(up.body.id);
    const res = await download(user, `/room/${room.token}/file/${row.id}`).expect(200);
    expect(res.body).toEqual(body);
    return { row, res };
  }

  describe('upload', () => {
    it('answers 201 {"id"} and stores the bytes, uploader, size and a 1 h expiry', async () => {
      const body = randomBytes(1234);
      const res = await upload(user, room, body).expect(201);
      expect(res.headers['content-type']).toBe('application/json');
      expect(Object.keys(res.body)).toEqual(['id']);
      expect(Number.isSafeInteger(res.body.id)).toBe(true);
      const row = await fileRow(res.body.id);
      const [{ id: uploader }] = await t.database.query(`SELECT id FROM users WHERE session_id = $1`, [user.blindedId]);
      expect(row).toEqual({
        id: res.body.id,
        room: room.id,
        uploader,
        message: null,
        size: 1234,
        uploaded: expect.any(Number),
        expiry: row.uploaded + 3600,
        filename: null,
        path: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expect(Math.abs(row.uploaded - t.clock.now())).toBeLessThan(5);
      expect(await storedBytes(t, row.path)).toEqual(body);
    });

    it('accepts any content type, none, and an empty body', async () => {
      for (const type of ['image/png', 'text/plain', 'application/json']) {
        const res = await signed(t.server, user, 'POST', `/room/${room.token}/file`, { body: Buffer.from('{"x":1}'), contentType: type }).expect(201);
        expect((await fileRow(res.body.id)).size).toBe(7);
      }
      const noType = await request(t.server)
        .post(`/room/${room.token}/file`)
        .set(user.headers({ method: 'POST', url: `/room/${room.token}/file`, body: Buffer.from('abc') }))
        .send(Buffer.from('abc'))
        .unset('content-type');
      expect(noType.status).toBe(201);
      const empty = await signed(t.server, user, 'POST', `/room/${room.token}/file`).expect(201);
      expect((await fileRow(empty.body.id)).size).toBe(0);
      const got = await download(user, `/room/${room.token}/file/${empty.body.id}`).expect(200);
      expect(got.body).toEqual(Buffer.alloc(0));
      expect(got.headers['content-length']).toBe('0');
    });

    it('401 without authentication, 404 for an unknown room, nothing stored', async () => {
      const before = [await fileCount(), await storedFiles()];
      const anon = await upload(null, room, Buffer.from('x'));
      expect([anon.status, anon.text]).toEqual([401, 'X-SOGS-* request authentication required']);
      expect((await upload(user, { token: 'no-such-room' } as Room, Buffer.from('x'))).status).toBe(404);
      expect([await fileCount(), await storedFiles()]).toEqual(before);
    });

    it('403 for banned users and without write or upload permission; nothing stored', async () => {
      const cases: Array<[string, (r: Room, c: SessionClient) => Promise<unknown>, string]> = [
        ['banned', (r, c) => moderation.ban(system, c.blindedId, { rooms: [r] }, null), "This endpoint requires room file 'upload' permission"],
        ['write=false', (r, c) => moderation.setPermissions(system, r, c.blindedId, { write: false }), "This endpoint requires room file 'upload' permission"],
        ['upload=false', (r, c) => moderation.setPermissions(system, r, c.blindedId, { upload: false }), "This endpoint requires room file 'upload' permission"],
      ];
      for (const [name, restrict, text] of cases) {
        const r = await newRoom();
        const c = t.newClient();
        await signed(t.server, c, 'GET', '/capabilities').expect(200);
        await upload(c, r, Buffer.from('ok')).expect(201);
        await restrict(r, c);
        const before = [await fileCount(), await storedFiles()];
        const res = await upload(c, r, Buffer.from('no'));
        expect([name, res.status, res.text]).toEqual([name, 403, text]);
        expect([await fileCount(), await storedFiles()]).toEqual(before);
      }
      for (const flags of [{ upload: false }, { write: false }]) {
        const r = await newRoom(flags);
        expect((await upload(user, r, Buffer.from('no'))).status).toBe(403);
      }
    });

    it('needs write and upload only (§8.3): without read the upload works but cannot be downloaded', async () => {
      const r = await newRoom();
      const c = t.newClient();
      await signed(t.server, c, 'GET', '/capabilities').expect(200);
      await moderation.setPermissions(system, r, c.blindedId, { read: false });
      const id = (await upload(c, r, Buffer.from('blind')).expect(201)).body.id;
      expect((await download(c, `/room/${r.token}/file/${id}`)).status).toBe(403);
      expect((await download(user, `/room/${r.token}/file/${id}`).expect(200)).body).toEqual(Buffer.from('blind'));
    });
  });

  describe('download', () => {
    it('sends the bytes with the §1.6 headers: Date = upload time, Expires = expiry', async () => {
      const body = randomBytes(500);
      const up = await upload(user, room, body, { 'content-disposition': "attachment; filename*=UTF-8''hello%20world.txt" }).expect(201);
      const row = await fileRow(up.body.id);
      t.clock.advance(100);
      for (const suffix of ['', '/hello world.txt', '/anything-else']) {
        const res = await download(user, `/room/${room.token}/file/${row.id}${suffix}`).expect(200);
        expect(res.body).toEqual(body);
        expect(res.headers['content-type']).toBe('application/octet-stream');
        expect(res.headers['content-length']).toBe('500');
        expect(res.headers['content-disposition']).toBe("attachment; filename*=UTF-8''hello%20world.txt");
        expect(res.headers['date']).toBe(httpDate(row.uploaded));
        expect(res.headers['expires']).toBe(httpDate(row.uploaded + 3600));
      }
    });

    it('works anonymously in a readable room and omits Expires for a permanent file', async () => {
      const { row } = await roundTrip(undefined);
      await t.database.query(`UPDATE files SET expiry = NULL WHERE id = $1`, [row.id]);
      const res = await download(null, `/room/${room.token}/file/${row.id}`).expect(200);
      expect(res.headers['content-disposition']).toBe('attachment');
      expect(res.headers['expires']).toBeUndefined();
      expect(res.headers['date']).toBe(httpDate(row.uploaded));
      // HEAD: the same headers, no body.
      const head = await request(t.server).head(`/room/${room.token}/file/${row.id}`).expect(200);
      expect(head.headers['content-length']).toBe('100');
      expect(head.headers['content-disposition']).toBe('attachment');
      expect(head.headers['date']).toBe(httpDate(row.uploaded));
    });

    it('404 for missing, expired, other-room and malformed ids', async () => {
      const { row } = await roundTrip(undefined);
      const other = await newRoom();
      const missing = await download(user, `/room/${room.token}/file/987654321`);
      expect([missing.status, missing.body.toString()]).toEqual([404, 'File not found']);
      expect((await download(user, `/room/${other.token}/file/${row.id}`)).status).toBe(404);
      for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
        expect([bad, (await download(user, `/room/${room.token}/file/${bad}`)).status]).toEqual([bad, 404]);
      }
      // Expired exactly at `expiry` is still served; a moment later it is gone.
      const { row: soon } = await roundTrip(undefined);
      await t.database.query(`UPDATE files SET expiry = $2 WHERE id = $1`, [soon.id, t.clock.now() + 10]);
      await download(user, `/room/${room.token}/file/${soon.id}`).expect(200);
      t.clock.advance(11);
      expect((await download(user, `/room/${room.token}/file/${soon.id}`)).status).toBe(404);
    });

    it('403 without read permission (room default or per user, or banned)', async () => {
      const closed = await newRoom({ read: false });
      const res = await download(user, `/room/${closed.token}/file/1`);
      expect([res.status, res.body.toString()]).toEqual([403, "This endpoint requires room message 'read' permission"]);
      const r = await newRoom();
      const c = t.newClient();
      await signed(t.server, c, 'GET', '/capabilities').expect(200);
      const id = (await upload(c, r, Buffer.from('mine')).expect(201)).body.id;
      await moderation.setPermissions(system, r, c.blindedId, { read: false });
      expect((await download(c, `/room/${r.token}/file/${id}`)).status).toBe(403);
      await moderation.setPermissions(system, r, c.blindedId, { read: null });
      await download(c, `/room/${r.token}/file/${id}`).expect(200);
      await moderation.ban(system, c.blindedId, { rooms: [r] }, null);
      expect((await download(c, `/room/${r.token}/file/${id}`)).status).toBe(403);
    });
  });

  describe('filenames (reference test_files round trips)', () => {
    it('no Content-Disposition, or one without a filename: no name', async () => {
      for (const d of [undefined, 'attachment', 'inline', 'attachment; filename*=garbage']) {
        const { row, res } = await roundTrip(d);
        expect([d, row.filename, res.headers['content-disposition']]).toEqual([d, null, 'attachment']);
      }
    });

    const cases: Array<[string, string, string]> = [
      ['plain ascii', `attachment; filename="fug-1.jpeg"`, 'fug-1.jpeg'],
      ['bare token', `attachment; filename=report.pdf`, 'report.pdf'],
      ['RFC 5987', `attachment; filename*=UTF-8''my%20file.txt`, 'my file.txt'],
      ['RFC 5987, quoted by the client', `attachment; filename*="UTF-8''q%C3%BCoted.txt"`, 'qüoted.txt'],
      ['RFC 5987 in ISO-8859-1', `attachment; filename*=iso-8859-1'en'%A3%20rates.txt`, '£ rates.txt'],
      ['RFC 5987 wins over plain', `attachment; filename="fallback.txt"; filename*=UTF-8''real.txt`, 'real.txt'],
      ['unicode', `attachment; filename*=UTF-8''${encodeURIComponent('🎂 ünïcödé 文件.png')}`, '🎂 ünïcödé 文件.png'],
      ['slashes', `attachment; filename*=UTF-8''${encodeURIComponent('../../etc/passwd')}`, '..\uFFFD..\uFFFDetc\uFFFDpasswd'],
      ['NUL', `attachment; filename*=UTF-8''a%00b%00`, 'a\uFFFDb\uFFFD'],
      ['backslashes', `attachment; filename*=UTF-8''${encodeURIComponent('C:\\Users\\me\\x.txt')}`, 'C:\\Users\\me\\x.txt'],
      ['quotes, escaped in plain form', `attachment; filename="say \\"hi\\" \\\\ there.txt"`, 'say "hi" \\ there.txt'],
      ['quotes in RFC 5987', `attachment; filename*=UTF-8''${encodeURIComponent(`it's "quoted".txt`)}`, `it's "quoted".txt`],
      ['raw UTF-8 bytes in plain form', `attachment; filename="${Buffer.from('zoë.txt', 'utf8').toString('latin1')}"`, 'zoë.txt'],
    ];
    it.each(cases)('%s', async (_name, disposition, stored) => {
      const { row, res } = await roundTrip(disposition);
      expect(row.filename).toBe(stored);
      expect(res.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''${rfc5987(stored)}`);
    });

    it('fuzzed bytes: invalid UTF-8 becomes U+FFFD, as do NUL and /; the header has only unreserved ASCII', async () => {
      for (let i = 0; i < 25; i++) {
        const bytes = randomBytes(1 + (i % 40) * 3);
        const stored = bytes.toString('utf8').replace(/[\0/]/g, '\uFFFD');
        const { row, res } = await roundTrip(`attachment; filename*=UTF-8''${pct(bytes)}`, randomBytes(20));
        expect(row.filename).toBe(stored);
        const header = res.headers['content-disposition'] as string;
        expect(header).toBe(`attachment; filename*=UTF-8''${rfc5987(stored)}`);
        expect(header).toMatch(/^attachment; filename\*=UTF-8''[A-Za-z0-9_.~%-]*$/);
        expect(Buffer.from(decodeURIComponent(header.slice("attachment; filename*=UTF-8''".length)), 'utf8').toString()).toBe(stored);
      }
    });

    it('stores the bytes under a server-chosen name whatever the filename says', async () => {
      const { row } = await roundTrip(`attachment; filename*=UTF-8''..%2F..%2Fescape`);
      expect(row.path).toMatch(/^[0-9a-f]{32}$/);
      expect(fs.existsSync(path.join(t.dataDir, 'escape'))).toBe(false);
    });
  });

  describe('inside /batch (how clients upload through onion requests)', () => {
    it('uploads with a filename and downloads the bytes base64-encoded', async () => {
      const body = randomBytes(3000);
      const up = await signed(t.server, user, 'POST', '/batch', {
        json: [{ method: 'POST', path: `/room/${room.token}/file`, b64: body.toString('base64'), headers: { 'Content-Disposition': `attachment; filename*=UTF-8''b%C3%A4tch.bin` } }],
      }).expect(200);
      expect(up.body).toEqual([{ code: 201, headers: { 'content-type': 'application/json' }, body: { id: expect.any(Number) } }]);
      const id = up.body[0].body.id;
      expect((await fileRow(id)).filename).toBe('bätch.bin');
      const down = await signed(t.server, user, 'POST', '/batch', { json: [{ method: 'GET', path: `/room/${room.token}/file/${id}` }] }).expect(200);
      expect(down.body).toHaveLength(1);
      expect(down.body[0].code).toBe(200);
      expect(down.body[0].headers['content-type']).toBe('application/octet-stream');
      expect(Buffer.from(down.body[0].body, 'base64')).toEqual(body);
    });
  });

  describe('size limit (10 000 000 bytes)', () => {
    it('uploads and downloads 10 MB over plain HTTP', async () => {
      const body = randomBytes(10_000_000);
      const up = await upload(user, room, body).expect(201);
      expect((await fileRow(up.body.id)).size).toBe(10_000_000);
      const res = await download(user, `/room/${room.token}/file/${up.body.id}`).expect(200);
      expect(res.headers['content-length']).toBe('10000000');
      expect(res.body.equals(body)).toBe(true);
    });

    it('refuses 11 MB (and one byte over the limit) with 413, storing nothing', async () => {
      for (const size of [11_000_000, 10_000_001]) {
        const before = [await fileCount(), await storedFiles()];
        const res = await upload(user, room, randomBytes(size));
        expect([size, res.status, res.text]).toEqual([size, 413, 'File too large: the limit is 10000000 bytes']);
        expect([await fileCount(), await storedFiles()]).toEqual(before);
      }
    });

    it('answers 413 from the declared Content-Length before the body arrives', async () => {
      const before = [await fileCount(), await storedFiles()];
      if (!t.server.listening) await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
      const { port } = t.server.address() as AddressInfo;
      const url = `/room/${room.token}/file`;
      const sent = randomBytes(1024);
      // Only 1 KiB of the declared 11 MB is ever sent: a server that buffered first would never answer.
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: url, headers: { 'content-length': '11000000', ...user.headers({ method: 'POST', url, body: sent }) } });
        req.on('response', (r) => {
          let body = '';
          r.on('data', (c: Buffer) => (body += c.toString()));
          r.on('end', () => {
            req.destroy();
            resolve({ status: r.statusCode!, body });
          });
        });
        req.on('error', reject);
        req.write(sent);
      });
      expect(res).toEqual({ status: 413, body: 'File too large: the limit is 10000000 bytes' });
      expect([await fileCount(), await storedFiles()]).toEqual(before);
    });
  });
});

describe.each(FILE_STORAGES)('file size limit set to 1000 bytes (%s storage)', (storage) => {
  let t: TestApp;
  let user: SessionClient;
  let room: Room;
  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_UPLOAD_MAX_BYTES: '1000', SOGS_FILE_STORAGE: storage } });
    user = t.newClient();
    room = await t.app.get(RoomsService).create({ token: 'small' });
  });
  afterAll(() => t.close());

  const count = async () => (await t.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM files`))[0].n;
  const batchUpload = (size: number) =>
    signed(t.server, user, 'POST', '/batch', { json: [{ method: 'POST', path: '/room/small/file', b64: randomBytes(size).toString('base64') }] }).expect(200);

  it('applies inside /batch: 1000 bytes are accepted, 1001 refused with 413', async () => {
    expect((await batchUpload(1000)).body[0].code).toBe(201);
    const res = await batchUpload(1001);
    expect(res.body).toEqual([{ code: 413, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: expect.any(String) }]);
    expect(Buffer.from(res.body[0].body, 'base64').toString()).toBe('File too large: the limit is 1000 bytes');
    expect(await count()).toBe(1);
    expect(await leftovers(t)).toEqual([]);
  });

  it('applies to a chunked body that declares no length', async () => {
    const url = '/room/small/file';
    for (const [size, status] of [[1001, 413], [1000, 201]] as const) {
      const body = randomBytes(size);
      if (!t.server.listening) await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
      const { port } = t.server.address() as AddressInfo;
      const got = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: url, headers: { 'transfer-encoding': 'chunked', ...user.headers({ method: 'POST', url, body }) } });
        req.on('response', (r) => {
          r.resume();
          r.on('end', () => resolve(r.statusCode!));
        });
        req.on('error', reject);
        req.write(body.subarray(0, 500));
        req.end(body.subarray(500));
      });
      expect([size, got]).toEqual([size, status]);
    }
    expect(await count()).toBe(2);
    expect(await leftovers(t)).toEqual([]);
  });
});
