import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { initCrypto } from '../../src/crypto';
import { INVITE_PAGE_LIMIT, INVITE_PAGE_WINDOW_SECONDS } from '../../src/invites/invite-rate-limit';
import { ServerKey } from '../../src/keys/server-key';
import { binaryBody } from '../support/binary-body';
import { build, CLI_JS, run, startServer, Started } from '../support/processes';
import { SessionClient, signed } from '../support/session-client';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { testPostgresUrl } from '../support/test-env';

/**
 * Two built server processes on one PostgreSQL database, as two machines would run them: each
 * with its own data directory, the same server key, and the uploads in the database
 * (`SOGS_FILE_STORAGE=database`). Whatever one accepts or changes, the other honours; a room's
 * retention is applied once; the timed changes still come due when the instance running the
 * cleanup dies.
 */
const onPostgres = testPostgresUrl() !== undefined;
// Jest lists nothing of a file whose tests are all skipped: say why here.
if (!onPostgres) console.info('two-instances.spec.ts skipped: PostgreSQL only (TEST_DATABASE_URL); the embedded database belongs to one process');
(onPostgres ? describe : describe.skip)('two server instances on one PostgreSQL', () => {
  let database: TestDatabase;
  const dirs: string[] = [];
  let a: Started, b: Started;
  let urlA: string, urlB: string;
  let envA: Record<string, string>;
  let serverPk: Buffer;
  let admin: SessionClient;

  beforeAll(async () => {
    await Promise.all([build(), initCrypto()]);
    database = await openTestDatabase({ migrate: false });
    const key = randomBytes(32);
    serverPk = ServerKey.fromPrivateKey(key).publicKey;
    const env = (name: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sogs-two-${name}-`));
      dirs.push(dir);
      fs.writeFileSync(path.join(dir, 'key_x25519'), key, { mode: 0o600 });
      return {
        DATABASE_URL: database.connection.url,
        SOGS_DATA_DIR: dir,
        SOGS_PORT: '0',
        SOGS_WORKERS: '1',
        SOGS_FILE_STORAGE: 'database',
        SOGS_CLEANUP_INTERVAL_SECONDS: '1',
        SOGS_LOG_LEVEL: 'debug',
        SOGS_BASE_URL: 'http://chat.example.org',
      };
    };
    envA = env('a');
    // Started together: both migrate the new database at once, and one of them does it.
    [a, b] = await Promise.all([startServer(envA), startServer(env('b'))]);
    [urlA, urlB] = [a, b].map((s) => `http://127.0.0.1:${s.port}`);
    for (const s of [a, b]) {
      expect(s.stderr()).toContain(serverPk.toString('hex'));
      expect(s.stderr()).toContain('uploads        in the database (SOGS_FILE_STORAGE=database)');
    }
    admin = SessionClient.random(serverPk);
    const setup = await Promise.all([
      run(CLI_JS, ['rooms', 'add', 'lobby', '--name', 'Lobby'], envA),
      run(CLI_JS, ['moderators', 'add', admin.blindedId, '--global', '--admin'], envA),
    ]);
    expect(setup).toMatchObject([{ code: 0 }, { code: 0 }]);
  }, 240_000);

  afterAll(async () => {
    for (const s of [a, b]) if (s && s.child.exitCode === null && s.child.signalCode === null) await s.stop();
    await database?.close();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  const message = () => Buffer.from(JSON.stringify({ data: randomBytes(100).toString('base64'), signature: randomBytes(64).toString('base64') }));

  it('accepts a signed request once: the same bytes replayed to the other instance get 425', async () => {
    const poster = SessionClient.random(serverPk);
    const body = message();
    const headers = { ...poster.headers({ method: 'POST', url: '/room/lobby/message', body }), 'content-type': 'application/json' };
    const first = await request(urlA).post('/room/lobby/message').set(headers).send(body.toString());
    expect(first.status).toBe(201);
    const replay = await request(urlB).post('/room/lobby/message').set(headers).send(body.toString());
    expect([replay.status, replay.text]).toEqual([425, 'Invalid authentication: X-SOGS-Nonce cannot be reused']);
    const posts = await database.query(`SELECT m.id FROM messages m JOIN users u ON u.id = m."user" WHERE u.session_id = $1`, [poster.blindedId]);
    expect(posts).toEqual([{ id: first.body.id }]);
  });

  it('shows a room renamed through one instance with its new name on the other', async () => {
    // B has the room's details cached from this request before the change.
    expect((await signed(urlB, null, 'GET', '/room/lobby').expect(200)).body.name).toBe('Lobby');
    await signed(urlA, admin, 'PUT', '/room/lobby', { json: { name: 'Renamed through A' } }).expect(200);
    expect((await signed(urlB, null, 'GET', '/room/lobby').expect(200)).body.name).toBe('Renamed through A');
    expect((await signed(urlB, admin, 'GET', '/rooms').expect(200)).body.map((r: { name: string }) => r.name)).toEqual(['Renamed through A']);
  });

  it("holds the invite pages' rate limit across both instances: 20 requests per address and window, wherever they arrive", async () => {
    const window = () => Math.floor(Date.now() / 1000 / INVITE_PAGE_WINDOW_SECONDS);
    // Once more, from a fresh address, in the rare case a window ended while the requests were made.
    for (let attempt = 1; ; attempt++) {
      const started = window();
      const from = `198.51.100.${attempt}`;
      const view = (url: string) => request(url).get('/invite/AAAAAAAAAAAAAAAAAAAAAAAA').set('x-forwarded-for', from);
      const statuses: number[] = [];
      for (let i = 0; i < INVITE_PAGE_LIMIT + 2; i++) statuses.push((await view(i % 2 ? urlB : urlA)).status);
      if (window() !== started && attempt < 3) continue;
      expect(statuses).toEqual([...Array(INVITE_PAGE_LIMIT).fill(404), 429, 429]);
      // Another address is not affected, on either instance.
      await request(urlB).get('/invite/AAAAAAAAAAAAAAAAAAAAAAAA').set('x-forwarded-for', '198.51.100.99').expect(404);
      break;
    }
    // The addresses are kept only as keyed hashes.
    const rows = await database.query<{ address: Buffer }>(`SELECT address FROM invite_page_hits`);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) expect(r.address.toString('latin1')).not.toContain('198.51.100');
  });

  it('serves from one instance, byte for byte, a file uploaded through the other, and the room image set through it', async () => {
    const user = SessionClient.random(serverPk);
    const file = randomBytes(1_500_000);
    const up = await signed(urlA, user, 'POST', '/room/lobby/file', { body: file }).set('content-disposition', 'attachment; filename="two.bin"').expect(201);
    const down = await signed(urlB, user, 'GET', `/room/lobby/file/${up.body.id}`).buffer(true).parse(binaryBody).expect(200);
    expect(down.headers['content-length']).toBe('1500000');
    expect(down.headers['content-disposition']).toBe("attachment; filename*=UTF-8''two.bin");
    expect(Buffer.compare(down.body, file)).toBe(0);

    // The admin command run with A's settings: the image goes to the database, as every upload.
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(5000)]);
    const image = path.join(os.tmpdir(), `sogs-two-${randomBytes(4).toString('hex')}.png`);
    fs.writeFileSync(image, png);
    try {
      expect(await run(CLI_JS, ['rooms', 'update', 'lobby', '--image', image], envA)).toMatchObject({ code: 0 });
    } finally {
      fs.rmSync(image);
    }
    const info = await signed(urlB, null, 'GET', '/room/lobby').expect(200);
    expect(info.body.image_id).toEqual(expect.any(Number));
    const served = await signed(urlB, null, 'GET', `/room/lobby/file/${info.body.image_id}`).buffer(true).parse(binaryBody).expect(200);
    expect(Buffer.compare(served.body, png)).toBe(0);
    // Neither instance keeps anything on its own disk.
    for (const dir of dirs) expect(fs.existsSync(path.join(dir, 'uploads'))).toBe(false);
  });

  it('applies a room retention once: each message deleted once, the sequence moved by exactly that many', async () => {
    expect(await run(CLI_JS, ['rooms', 'add', 'brief', '--retention', '2s'], envA)).toMatchObject({ code: 0 });
    const [{ id: room }] = await database.query(`SELECT id FROM rooms WHERE token = 'brief'`);
    const logged = () =>
      [a, b]
        .flatMap((s) => s.stdout().split('\n'))
        .filter((l) => l.includes('"task":"message retention"'))
        .reduce((n, l) => n + (JSON.parse(l) as { rows: number }).rows, 0);
    const before = logged();
    // A global admin posts without the rate limit, through both instances.
    for (let i = 0; i < 8; i++) {
      await signed(i % 2 ? urlB : urlA, admin, 'POST', '/room/brief/message', { body: message(), contentType: 'application/json' }).expect(201);
    }
    const count = async (where: string) => (await database.query(`SELECT count(*)::int AS n FROM messages WHERE room = $1 AND ${where}`, [room]))[0].n;
    await until(async () => (await count('data IS NOT NULL')) === 0, 10_000);
    // Both instances go on running rounds: nothing is deleted twice.
    const rounds = (s: Started) => s.stdout().split('\n').filter((l) => l.includes('"msg":"cleanup round"')).length;
    const [ra, rb] = [rounds(a), rounds(b)];
    await until(async () => rounds(a) + rounds(b) >= ra + rb + 4, 10_000);
    expect(await count('data IS NULL')).toBe(8);
    expect(await database.query(`SELECT message_sequence FROM rooms WHERE id = $1`, [room])).toEqual([{ message_sequence: 16 }]);
    expect(await database.query(`SELECT count(*)::int AS n FROM message_history h JOIN messages m ON m.id = h.message WHERE m.room = $1`, [room])).toEqual([{ n: 0 }]);
    expect(logged() - before).toBe(8);
  }, 30_000);

  it('applies a pending timed ban exactly once after the instance running the cleanup is killed (SIGKILL)', async () => {
    const target = SessionClient.random(serverPk);
    await signed(urlB, target, 'GET', '/room/lobby/messages/recent').expect(200);
    // A runs cleanup rounds (B does too: each round goes to whichever instance takes the lock).
    const roundsOfA = () => a.stdout().split('\n').filter((l) => l.includes('"msg":"cleanup round"')).length;
    const before = roundsOfA();
    await until(async () => roundsOfA() > before, 5000);
    await signed(urlA, admin, 'POST', `/user/${target.blindedId}/ban`, { json: { rooms: ['lobby'], timeout: 3 } }).expect(200);
    expect((await signed(urlB, target, 'GET', '/room/lobby/messages/recent')).status).toBe(403);

    const exited = new Promise((resolve) => a.child.once('exit', resolve));
    a.child.kill('SIGKILL');
    await exited;
    const killed = Date.now();
    const fromB = b.stdout().length;
    // Due 3 s after the ban; B's rounds come every second.
    await until(async () => (await signed(urlB, target, 'GET', '/room/lobby/messages/recent')).status === 200, 10_000);
    expect(Date.now() - killed).toBeLessThan(8000);
    expect(b.stdout().slice(fromB)).toContain('"msg":"cleanup round"');
    expect(await database.query(`SELECT count(*)::int AS n FROM user_ban_futures`)).toEqual([{ n: 0 }]);

    // Some more rounds of B: nothing is applied twice.
    const rounds = () => b.stdout().split('\n').filter((l) => l.includes('"msg":"cleanup round"')).length;
    const now = rounds();
    await until(async () => rounds() >= now + 2, 5000);
    const log = await database.query(
      `SELECT l.action, l.actor, l.details FROM moderation_log l JOIN users u ON u.id = l.target WHERE u.session_id = $1 ORDER BY l.id`,
      [target.blindedId],
    );
    const [{ id: adminId }] = await database.query(`SELECT id FROM users WHERE session_id = $1`, [admin.blindedId]);
    expect(log).toEqual([
      { action: 'ban', actor: adminId, details: expect.anything() },
      { action: 'unban', actor: null, details: { scheduled: true } },
    ]);
    await signed(urlB, target, 'GET', '/room/lobby/messages/recent').expect(200);
  }, 30_000);
});

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
