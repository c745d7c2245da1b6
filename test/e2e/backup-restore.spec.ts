/**
 * `sogs backup FILE` and `sogs restore FILE`: a populated server is backed up while it runs (and
 * while posts arrive), restored into fresh data directories on the embedded database and on the
 * test database (a cross restore when that is PostgreSQL), and the restored servers answer over
 * HTTP exactly as the original did. Refusals leave nothing behind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PNG } from 'pngjs';
import { ArchiveWriter, readArchive } from '../../src/backup/archive-file';
import { Manifest, MANIFEST_ENTRY } from '../../src/backup/archive-format';
import { binaryBody } from '../support/binary-body';
import { cli, CliResult, runCommand } from '../support/cli-runner';
import { serveInProcess } from '../support/serve-in-process';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';
import { openTestDatabase, TestDatabase } from '../support/test-database';

type Json = Record<string, any>;
type Target = Parameters<typeof signed>[0];

const BASE_URL = 'http://sogs.example.org';

describe('backup and restore', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-backup-'));
  let t: TestApp;
  let admin: SessionClient, mod: SessionClient, alice: SessionClient, bob: SessionClient, banned: SessionClient;
  const files: Record<string, Buffer> = {};
  let expected: Json;
  let liveBusy: Json[];
  const archiveA = path.join(scratch, 'a.sogs-backup');
  const embeddedDir = path.join(scratch, 'embedded');
  const empty: TestDatabase[] = [];

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    for (const db of empty) await db.close().catch(() => undefined);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const restore = (file: string, env: Record<string, string>) => runCommand(['restore', file], env);
  const backup = (file: string, env: Record<string, string>) => runCommand(['backup', file], env);
  const serve = (env: Record<string, string>) => serveInProcess({ SOGS_BASE_URL: BASE_URL, ...env });

  /** A fresh, empty database on the test server (PostgreSQL: a new one; PGlite: the worker's, emptied). */
  async function emptyDatabase(): Promise<string> {
    const db = await openTestDatabase({ migrate: false });
    empty.push(db);
    return db.connection.url;
  }

  const tablesIn = async (url: string) => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = current_schema()`);
      return rows[0].n as number;
    } finally {
      await c.end();
    }
  };

  const get = async (server: Target, c: SessionClient | null, url: string, status = 200) => (await signed(server, c, 'GET', url).expect(status)).body;
  const download = async (server: Target, url: string) => (await signed(server, alice, 'GET', url).buffer(true).parse(binaryBody).expect(200)).body as Buffer;

  /** Everything a client or moderator can see, as the server answers it. */
  async function views(server: Target): Promise<Json> {
    // The busy room takes posts during the backup: checked on its own.
    const out: Json = { rooms: ((await get(server, admin, '/rooms')) as Json[]).filter((r) => r.token !== 'busy') };
    for (const token of ['lobby', 'annex']) {
      out[token] = {
        admin: await get(server, admin, `/room/${token}`),
        user: await get(server, alice, `/room/${token}`),
        anonymous: await get(server, null, `/room/${token}`),
        since: await get(server, alice, `/room/${token}/messages/since/0?t=r&reactors=20`),
        sinceAsMod: await get(server, mod, `/room/${token}/messages/since/0?t=r&reactors=20`),
        // A client that has seen the first two messages also gets tombstones and reaction-only rows.
        sinceSecond: await get(server, alice, `/room/${token}/messages/since/2?t=r&reactors=20`),
        moderators: await get(server, admin, `/room/${token}/moderators`),
        bans: await get(server, admin, `/room/${token}/bans`),
        futures: await get(server, admin, `/room/${token}/futurePermissions`),
        log: await get(server, admin, `/room/${token}/moderation/log`),
        bannedUser: (await signed(server, banned, 'GET', `/room/${token}`)).status,
      };
    }
    out.globalBans = await get(server, admin, '/moderation/bans');
    out.inbox = await get(server, bob, '/inbox');
    out.outbox = await get(server, alice, '/outbox');
    out.files = {};
    for (const [url] of Object.entries(files)) out.files[url] = (await download(server, url)).toString('base64');
    return out;
  }

  const post = async (c: SessionClient, token: string, extra: Json = {}) => {
    t.clock.advance(4);
    const json = { data: randomBytes(40).toString('base64'), signature: randomBytes(64).toString('base64'), ...extra };
    return (await signed(t.server, c, 'POST', `/room/${token}/message`, { json }).expect(201)).body as Json;
  };

  beforeAll(async () => {
    t = await createTestApp();
    [admin, mod, alice, bob, banned] = Array.from({ length: 5 }, () => t.newClient());
    for (const c of [admin, mod, alice, bob, banned]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    const ok = (r: CliResult) => expect([r.code, r.stderr]).toEqual([0, '']);
    ok(await cli(t, 'rooms', 'add', 'lobby', '--name', 'Lobby', '--description', 'The lobby'));
    ok(await cli(t, 'rooms', 'add', 'annex', '--revoke', 'u'));
    ok(await cli(t, 'rooms', 'add', 'busy'));
    ok(await cli(t, 'moderators', 'add', admin.blindedId, '--global', '--admin'));
    ok(await cli(t, 'moderators', 'add', mod.blindedId, '--room', 'lobby'));
    ok(await cli(t, 'bans', 'add', banned.blindedId, '--room', 'lobby', '--room', 'annex', '--duration', '12h'));
    ok(await cli(t, 'permissions', 'schedule', '--room', 'annex', '--user', bob.blindedId, '--in', '2h', '--grant', 'u'));
    const png = new PNG({ width: 4, height: 4 });
    png.data.fill(200);
    const image = path.join(scratch, 'lobby.png');
    fs.writeFileSync(image, PNG.sync.write(png));
    ok(await cli(t, 'rooms', 'update', 'lobby', '--image', image));

    // Messages: plain, edited, deleted, with an attachment, reactions, a pin, a whisper.
    const upload = randomBytes(3000);
    const up = await signed(t.server, alice, 'POST', '/room/lobby/file', { body: upload }).set('content-disposition', 'attachment; filename="notes.bin"').expect(201);
    files[`/room/lobby/file/${up.body.id}`] = upload;
    const info = await get(t.server, admin, '/room/lobby');
    files[`/room/lobby/file/${info.image_id}`] = fs.readFileSync(image);
    const m1 = await post(alice, 'lobby', { files: [up.body.id] });
    const m2 = await post(bob, 'lobby');
    const m3 = await post(alice, 'lobby');
    await post(mod, 'lobby', { whisper_to: alice.blindedId });
    t.clock.advance(2);
    await signed(t.server, alice, 'PUT', `/room/lobby/message/${m3.id}`, {
      json: { data: randomBytes(40).toString('base64'), signature: randomBytes(64).toString('base64') },
    }).expect(200);
    await signed(t.server, bob, 'DELETE', `/room/lobby/message/${m2.id}`).expect(200);
    for (const [c, emoji] of [[alice, '👍'], [bob, '👍'], [mod, '🎉'], [bob, '🎉']] as const) {
      t.clock.advance(1);
      await signed(t.server, c, 'PUT', `/room/lobby/reaction/${m1.id}/${encodeURIComponent(emoji)}`).expect(200);
    }
    await signed(t.server, bob, 'DELETE', `/room/lobby/reaction/${m1.id}/${encodeURIComponent('🎉')}`).expect(200);
    await signed(t.server, admin, 'POST', `/room/lobby/pin/${m3.id}`, { json: {} }).expect(200);
    await signed(t.server, admin, 'POST', `/room/lobby/pin/${m1.id}`, { json: {} }).expect(200);
    for (let i = 0; i < 3; i++) await post(bob, 'annex');
    await signed(t.server, alice, 'POST', `/inbox/${bob.blindedId}`, { json: { message: randomBytes(50).toString('base64') } }).expect(201);
    await signed(t.server, bob, 'POST', `/inbox/${alice.blindedId}`, { json: { message: randomBytes(50).toString('base64') } }).expect(201);
    await post(alice, 'busy');
    expected = await views(t.server);
    // Sanity: the views hold what the checks below rely on.
    expect(expected.lobby.admin.pinned_messages.map((p: Json) => p.id)).toEqual([m3.id, m1.id]);
    expect(expected.lobby.sinceSecond.find((m: Json) => m.id === m2.id)).toMatchObject({ deleted: true });
    expect(expected.lobby.bannedUser).toBe(404); // a banned user does not see the room
  }, 60_000);

  it('backs up the running server while posts arrive, with the private key, mode 0600', async () => {
    // One post is in before the snapshot can begin (the posts racing the backup may all land after it).
    await post(alice, 'busy');
    let posting = true;
    const poster = (async () => {
      let n = 0;
      while (posting || n < 5) {
        await post(n % 2 ? bob : alice, 'busy');
        n++;
      }
    })();
    const r = await backup(archiveA, { DATABASE_URL: t.database.connection.url, SOGS_DATA_DIR: t.dataDir });
    posting = false;
    await poster;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Wrote ${archiveA} \\(`));
    expect(r.stdout).toContain('uploads:   2 files');
    expect(r.stdout).toContain(`public key ${t.serverKey.publicKeyHex}`);
    expect(fs.statSync(archiveA).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(scratch).filter((f) => f.includes('partial'))).toEqual([]);
    liveBusy = await get(t.server, alice, '/room/busy/messages/since/0');
    const manifest = await readManifest(archiveA);
    expect(manifest.serverPublicKey).toBe(t.serverKey.publicKeyHex);
    expect(manifest.tables.messages.rows).toBeGreaterThan(8);
    expect(manifest.tables.migrations).toBeUndefined();
    expect(manifest.tables.typeorm_metadata).toBeUndefined();
    expect(manifest.schemaVersion).toMatch(/^[A-Za-z]+\d+$/);
  }, 30_000);

  it('refuses a target that is not empty, writing nothing', async () => {
    const before = fs.readdirSync(t.dataDir).sort();
    const intoData = await restore(archiveA, { DATABASE_URL: t.database.connection.url, SOGS_DATA_DIR: t.dataDir });
    expect(intoData.code).toBe(1);
    expect(intoData.stderr).toMatch(/^sogs: the data directory .* is not empty/);
    expect(fs.readdirSync(t.dataDir).sort()).toEqual(before);
    // An empty data directory but a database that holds a server: refused before anything is written.
    const dir = path.join(scratch, 'refused');
    const intoDb = await restore(archiveA, { DATABASE_URL: t.database.connection.url, SOGS_DATA_DIR: dir });
    expect(intoDb.code).toBe(1);
    expect(intoDb.stderr).toMatch(/^sogs: the database is not empty/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('refuses a truncated or damaged archive and an archive from a newer schema, leaving nothing', async () => {
    const whole = fs.readFileSync(archiveA);
    const truncated = path.join(scratch, 'truncated.sogs-backup');
    fs.writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const damaged = path.join(scratch, 'damaged.sogs-backup');
    const bytes = Buffer.from(whole);
    for (let i = 200; i < 240; i++) bytes[Math.floor(bytes.length / 2) + i] ^= 0x5a;
    fs.writeFileSync(damaged, bytes);
    const newer = path.join(scratch, 'newer.sogs-backup');
    await rewrite(archiveA, newer, (m) => ({ ...m, schemaVersion: 'FutureChange9999999999999', migrations: [...m.migrations, 'FutureChange9999999999999'] }));
    const dir = path.join(scratch, 'never');
    for (const [file, message] of [
      [truncated, /is not a complete backup archive: it ends too early \(truncated\)/],
      [damaged, /is not a complete backup archive/],
      [newer, /the archive comes from a newer server/],
      [path.join(scratch, 'absent.sogs-backup'), /cannot read .*absent.sogs-backup \(ENOENT\)/],
    ] as const) {
      const r = await restore(file, { SOGS_DATA_DIR: dir });
      expect([file, r.code]).toEqual([file, 1]);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split('\n')).toHaveLength(1);
      expect(fs.existsSync(dir)).toBe(false);
    }
  });

  it('restores into a fresh embedded database that serves everything as the original did', async () => {
    const r = await restore(archiveA, { SOGS_DATA_DIR: embeddedDir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`server key: ${path.join(embeddedDir, 'key_x25519')} (public key ${t.serverKey.publicKeyHex})`);
    expect(fs.statSync(path.join(embeddedDir, 'key_x25519')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(embeddedDir, 'key_x25519'))).toEqual(t.serverKey.privateKey);
    expect(fs.readdirSync(path.join(embeddedDir, 'uploads')).sort()).toEqual(fs.readdirSync(path.join(t.dataDir, 'uploads')).filter((f) => f !== 'incoming').sort());
    const s = await serve({ SOGS_DATA_DIR: embeddedDir });
    try {
      expect(s.publicKey).toBe(t.serverKey.publicKeyHex);
      expect(await views(s.server)).toEqual(expected);
      // The snapshot taken amid posts is consistent: a prefix of what was posted, the room counter matching it.
      const busy = (await get(s.server, alice, '/room/busy/messages/since/0')) as Json[];
      expect(busy.length).toBeGreaterThanOrEqual(1);
      expect(busy).toEqual(liveBusy.slice(0, busy.length));
      expect(busy.length).toBeLessThan(liveBusy.length); // posts after the backup are not in it
      expect((await get(s.server, alice, '/room/busy')).message_sequence).toBe(busy.length);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('backs up the stopped embedded server and restores it into an empty database (PGlite → test database)', async () => {
    const archiveB = path.join(scratch, 'b.sogs-backup');
    const b = await backup(archiveB, { SOGS_DATA_DIR: embeddedDir });
    expect([b.code, b.stderr]).toEqual([0, '']);
    expect((await readManifest(archiveB)).database).toMatch(/^PGlite/);
    // The original server goes away; the test database is reused for the restores below.
    await t.close();

    // A restore that fails half-way (a row that breaks a constraint) removes everything it made.
    const broken = path.join(scratch, 'broken.sogs-backup');
    await rewrite(
      archiveB,
      broken,
      (m) => ({ ...m, tables: { ...m.tables, rooms: { ...m.tables.rooms, rows: m.tables.rooms.rows * 2 } } }),
      (name, data) => (name.startsWith('tables/rooms/') ? Buffer.concat([data, data]) : data),
    );
    const url = await emptyDatabase();
    const brokenDir = path.join(scratch, 'broken');
    const failed = await restore(broken, { DATABASE_URL: url, SOGS_DATA_DIR: brokenDir });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^sogs: restore failed, nothing was restored: .*(duplicate key|archive lists)/);
    expect(fs.existsSync(brokenDir)).toBe(false);
    expect(await tablesIn(url)).toBe(0);

    const dir = path.join(scratch, 'on-database');
    const r = await restore(archiveB, { DATABASE_URL: url, SOGS_DATA_DIR: dir });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const s = await serve({ SOGS_DATA_DIR: dir, DATABASE_URL: url });
    try {
      expect(s.publicKey).toBe(t.serverKey.publicKeyHex);
      expect(await views(s.server)).toEqual(expected);
      // Posting goes on from the restored counters and ids.
      const next = (await signed(s.server, alice, 'POST', '/room/lobby/message', {
        json: { data: randomBytes(40).toString('base64'), signature: randomBytes(64).toString('base64') },
      }).expect(201)).body;
      expect(next.seqno).toBe(expected.lobby.admin.message_sequence + 1);
      const busy = (await get(s.server, alice, '/room/busy/messages/since/0')) as Json[];
      const ids = [...expected.lobby.since, ...expected.annex.since, ...busy].map((m: Json) => m.id as number);
      // Identity sequences are read as they are at the end of the snapshot: never behind it (gaps are harmless).
      expect(next.id).toBeGreaterThan(Math.max(...ids));
    } finally {
      await s.close();
    }
  }, 60_000);

  it('carries uploads kept in the database (SOGS_FILE_STORAGE=database) as rows, and refuses to mix the storages', async () => {
    const from = path.join(scratch, 'db-storage');
    const to = path.join(scratch, 'db-storage-restored');
    const env = { SOGS_DATA_DIR: from, SOGS_FILE_STORAGE: 'database' };
    const bytes = randomBytes(700_000); // three 256 KiB chunks
    expect((await runCommand(['init'], env)).code).toBe(0);
    expect((await runCommand(['rooms', 'add', 'files'], env)).code).toBe(0);
    let s = await serve(env);
    const user = SessionClient.random(Buffer.from(s.publicKey, 'hex'));
    let id: number;
    try {
      id = (await signed(s.server, user, 'POST', '/room/files/file', { body: bytes }).expect(201)).body.id;
    } finally {
      await s.close();
    }
    const archive = path.join(scratch, 'db-storage.sogs-backup');
    const b = await backup(archive, env);
    expect([b.code, b.stderr]).toEqual([0, '']);
    const manifest = await readManifest(archive);
    expect(manifest.uploads).toEqual({ files: 0, bytes: 0, missing: 0, storage: 'database' });
    expect(manifest.tables.file_chunks.rows).toBe(3);
    const mixed = await restore(archive, { SOGS_DATA_DIR: to });
    expect([mixed.code, mixed.stderr]).toEqual([1, "sogs: the archive's uploads were kept with SOGS_FILE_STORAGE=database; restore it with the same setting (and keep it for the restored server)"]);
    expect(fs.existsSync(to)).toBe(false);
    const r = await restore(archive, { SOGS_DATA_DIR: to, SOGS_FILE_STORAGE: 'database' });
    expect([r.code, r.stderr]).toEqual([0, '']);
    s = await serve({ SOGS_DATA_DIR: to, SOGS_FILE_STORAGE: 'database' });
    try {
      const got = (await signed(s.server, user, 'GET', `/room/files/file/${id}`).buffer(true).parse(binaryBody).expect(200)).body as Buffer;
      expect(got.equals(bytes)).toBe(true);
      expect(fs.existsSync(path.join(to, 'uploads'))).toBe(false);
    } finally {
      await s.close();
    }
  }, 90_000);

  async function readManifest(file: string): Promise<Manifest> {
    for await (const entry of readArchive(file)) if (entry.name === MANIFEST_ENTRY) return JSON.parse((await entry.buffer()).toString());
    throw new Error('no manifest');
  }

  /** Copies an archive, changing its manifest and entries. */
  async function rewrite(from: string, to: string, manifest: (m: Manifest) => Manifest, entry: (name: string, data: Buffer) => Buffer = (_, d) => d) {
    const out = ArchiveWriter.create(to);
    for await (const e of readArchive(from)) {
      const data = await e.buffer();
      if (e.name === MANIFEST_ENTRY) {
        const m = manifest(JSON.parse(data.toString()));
        await out.tar.add(e.name, Buffer.from(JSON.stringify(m)));
      } else {
        await out.tar.add(e.name, entry(e.name, data));
      }
    }
    await out.commit();
  }
});
