import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { build, CLI_JS, DATA_SOURCE_JS, run, SERVER_JS, startServer, Started, TYPEORM_JS } from '../support/processes';

/**
 * The built server as operators run it: embedded PGlite in a fresh data directory, the admin CLI
 * as a second process while it runs, a restart keeping key and rooms, and clear failures.
 */
describe('the server as a process on the embedded database', () => {
  let dataDir: string;
  let server: Started | undefined;
  const env = () => ({ SOGS_DATA_DIR: dataDir, SOGS_PORT: '0', SOGS_BASE_URL: 'http://chat.example.org', SOGS_LOG_LEVEL: 'warn' });

  beforeAll(async () => {
    await build();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-embedded-'));
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  let publicKey: string;

  it('starts on a fresh data directory, creates the key (0600) and explains how to add a room', async () => {
    server = await startServer(env());
    const banner = server.stderr();
    publicKey = /public key\s+([0-9a-f]{64})/.exec(banner)![1];
    expect(banner).toContain('There are no rooms yet');
    expect(banner).toContain('npm run sogs -- rooms add lobby --name "Lobby"');
    const key = fs.statSync(path.join(dataDir, 'key_x25519'));
    expect(key.size).toBe(32);
    expect(key.mode & 0o777).toBe(0o600);
    const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(health.status).toBe(200);
    const caps = await (await fetch(`http://127.0.0.1:${server.port}/capabilities`)).json();
    expect(caps).toEqual({ capabilities: ['blind', 'reactions', 'sogs'] });
  }, 120_000);

  it('syncs every commit to disk and keeps a small page cache (issue #14, item 7)', async () => {
    expect(server!.stderr()).toContain(`database       embedded PGlite in ${path.join(dataDir, 'db')}\n`);
    const client = new Client({ host: path.join(dataDir, 'db-socket'), user: 'postgres', database: 'postgres' });
    await client.connect();
    try {
      const show = async (name: string) => Object.values((await client.query(`SHOW ${name}`)).rows[0])[0];
      expect([await show('fsync'), await show('wal_sync_method'), await show('shared_buffers')]).toEqual(['on', 'open_datasync', '32MB']);
      await client.query('SELECT 1'); // a commit has gone through the WAL file
    } finally {
      await client.end();
    }
    // The server's open WAL segment: written with O_SYNC (04010000), so a commit is on disk when it returns.
    const pid = server!.child.pid!;
    const wal = fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => /\/pg_wal\/[0-9A-F]{24}$/.test(safeReadlink(`/proc/${pid}/fd/${fd}`)));
    expect(wal.length).toBeGreaterThan(0);
    for (const fd of wal) {
      const flags = parseInt(/flags:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))![1], 8);
      expect(flags & 0o4010000).toBe(0o4010000);
    }
  }, 60_000);

  it('adds a room from the CLI while the server runs', async () => {
    const r = await run(CLI_JS, ['rooms', 'add', 'lobby', '--name', 'Lobby'], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Created room lobby (Lobby)\n  join URL: http://chat.example.org/lobby?public_key=${publicKey}\n`);
    const list = await run(CLI_JS, ['rooms', 'list'], env());
    expect(list.stdout).toContain(`join URL:     http://chat.example.org/lobby?public_key=${publicKey}`);
    const ready = await fetch(`http://127.0.0.1:${server!.port}/readyz`);
    expect(ready.status).toBe(200);
  }, 120_000);

  it('refuses a second server on the same data directory with a clear message', async () => {
    const r = await run(SERVER_JS, [], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sogs: cannot start: the embedded database in .* is already open in process \d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('keeps the key and the rooms across a restart and prints the join URL', async () => {
    expect(await server!.stop()).toBe(0);
    server = await startServer(env());
    expect(server.stderr()).toContain(`public key     ${publicKey}`);
    expect(server.stderr()).toMatch(new RegExp(`lobby\\s+http://chat.example.org/lobby\\?public_key=${publicKey}`));
    expect(await server.stop()).toBe(0);
    server = undefined;
  }, 120_000);

  it('takes over a lock left by a crash whose pid now belongs to another live process', async () => {
    const lock = path.join(dataDir, 'db.lock');
    // This test's own process stands for the unrelated process that got the dead server's pid.
    for (const stale of [
      { content: `${process.pid} 1`, mtime: new Date() }, // the start time says: another process
      { content: `${process.pid}`, mtime: new Date('2000-01-01') }, // written before the last boot
    ]) {
      fs.writeFileSync(lock, stale.content);
      fs.utimesSync(lock, stale.mtime, stale.mtime);
      const started = await startServer(env());
      try {
        expect(fs.readFileSync(lock, 'utf8')).toMatch(new RegExp(`^${started.child.pid} \\d+$`));
      } finally {
        expect(await started.stop()).toBe(0);
      }
      expect(fs.existsSync(lock)).toBe(false);
    }
  }, 180_000);

  it('works from the CLI alone when the server is stopped', async () => {
    const r = await run(CLI_JS, ['migrations', 'status'], env());
    expect(r).toEqual({ code: 0, stdout: 'The database schema is up to date.\n', stderr: '' });
    expect(fs.existsSync(path.join(dataDir, 'db.lock'))).toBe(false);
  }, 120_000);

  it('reports pending migrations with exit code 5 on an empty database', async () => {
    // The CLI creates no key or database (`sogs init` does): a key file, and an empty database
    // made by TypeORM's command line, which opens the embedded database as the CLI once did.
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-empty-'));
    const e = { ...env(), SOGS_DATA_DIR: empty };
    try {
      fs.writeFileSync(path.join(empty, 'key_x25519'), randomBytes(32), { mode: 0o600 });
      expect((await run(TYPEORM_JS, ['migration:show', '-d', DATA_SOURCE_JS], e)).code).not.toBeNull();
      const r = await run(CLI_JS, ['migrations', 'status'], e);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 5, stderr: '' });
      expect(r.stdout).toBe(`${MIGRATIONS.length} migration(s) pending:\n${MIGRATIONS.map((m) => `  ${m.name}\n`).join('')}`);
      // Any other command refuses a database no server has set up, rather than setting it up.
      const add = await run(CLI_JS, ['rooms', 'add', 'lobby'], e);
      expect(add.code).toBe(1);
      expect(add.stderr).toMatch(/^sogs: the database \(embedded PGlite in .*\) is empty: no server has used it\. .*"sogs init"\n$/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  }, 120_000);

  it('migrates on request: `sogs migrations run` and TypeORM\'s own command line share one migrator', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-typeorm-'));
    const e = { ...env(), SOGS_DATA_DIR: empty };
    const names = MIGRATIONS.map((m) => m.name);
    try {
      fs.writeFileSync(path.join(empty, 'key_x25519'), randomBytes(32), { mode: 0o600 }); // the CLI needs the server's key
      const show = await run(TYPEORM_JS, ['migration:show', '-d', DATA_SOURCE_JS], e);
      expect(show.stdout).toBe(names.map((n) => `[ ] ${n}\n`).join(''));
      const ran = await run(TYPEORM_JS, ['migration:run', '-d', DATA_SOURCE_JS], e);
      expect(ran.code).toBe(0);
      expect(ran.stdout).toContain(`Migration ${names.at(-1)} has been executed successfully.`);
      const shown = await run(TYPEORM_JS, ['migration:show', '-d', DATA_SOURCE_JS], e);
      expect(shown.stdout).toBe(names.map((n, i) => `[X] ${i + 1} ${n}\n`).join(''));
      const reverted = await run(TYPEORM_JS, ['migration:revert', '-d', DATA_SOURCE_JS], e);
      expect(reverted.stdout).toContain(`Migration ${names.at(-1)} has been reverted successfully.`);
      expect(await run(CLI_JS, ['migrations', 'status'], e)).toEqual({ code: 5, stdout: `1 migration(s) pending:\n  ${names.at(-1)}\n`, stderr: '' });
      expect(await run(CLI_JS, ['migrations', 'run'], e)).toEqual({ code: 0, stdout: `Applied ${names.at(-1)}\n`, stderr: '' });
      expect(await run(CLI_JS, ['migrations', 'run'], e)).toEqual({ code: 0, stdout: 'Nothing to apply; the schema is up to date.\n', stderr: '' });
      expect(fs.existsSync(path.join(empty, 'db.lock'))).toBe(false);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  }, 180_000);

  it('stops on bad configuration listing every bad variable, without a stack trace', async () => {
    const r = await run(SERVER_JS, [], { ...env(), SOGS_PORT: 'eighty', SOGS_REQUIRE_BLIND_KEYS: 'perhaps' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'sogs: cannot start: Invalid configuration:\n' +
        '  - SOGS_PORT: expected a whole number, got "eighty"\n' +
        '  - SOGS_REQUIRE_BLIND_KEYS: expected a boolean (true/false, yes/no, on/off, 1/0), got "perhaps"\n',
    );
  });

  it('stops when the data directory cannot be written', async () => {
    const file = path.join(dataDir, 'not-a-directory');
    fs.writeFileSync(file, '');
    const r = await run(SERVER_JS, [], { ...env(), SOGS_DATA_DIR: path.join(file, 'data') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sogs: cannot start: the data directory .* is not usable \(ENOTDIR\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops when the data directory is read-only', async () => {
    // As root, permissions do not stop us: run the server as `nobody` instead.
    const asRoot = process.getuid?.() === 0;
    const ro = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-ro-'));
    fs.chmodSync(ro, asRoot ? 0o755 : 0o500);
    try {
      const r = await run(SERVER_JS, [], { ...env(), SOGS_DATA_DIR: ro }, asRoot ? { uid: 65534, gid: 65534 } : undefined);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^sogs: cannot start: the data directory .* is not usable \(EACCES\)/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      fs.chmodSync(ro, 0o700);
      fs.rmSync(ro, { recursive: true, force: true });
    }
  });

  it('says plainly when the embedded database is told not to sync', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-nosync-'));
    try {
      const started = await startServer({ ...env(), SOGS_DATA_DIR: other, SOGS_EMBEDDED_DURABLE: 'off' });
      expect(started.stderr()).toContain('(NOT synced to disk: a power loss or OS crash may lose acknowledged posts)');
      expect(await started.stop()).toBe(0);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  }, 180_000);

  it('stops when PostgreSQL is unreachable, at once when told not to wait', async () => {
    const r = await run(SERVER_JS, [], { ...env(), DATABASE_URL: 'postgresql://sogs:secret@127.0.0.1:1/sogs', SOGS_DATABASE_WAIT_SECONDS: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sogs: cannot start: cannot connect to postgresql:\/\/sogs:\*\*\*@127\.0\.0\.1:1\/sogs: /);
    expect(r.stderr).not.toContain('secret');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('waits for an unreachable PostgreSQL with backoff up to SOGS_DATABASE_WAIT_SECONDS, then stops', async () => {
    const began = Date.now();
    const r = await run(SERVER_JS, [], { ...env(), DATABASE_URL: 'postgresql://sogs@127.0.0.1:1/sogs', SOGS_DATABASE_WAIT_SECONDS: '2', SOGS_WORKERS: '1' });
    expect(Date.now() - began).toBeGreaterThanOrEqual(2000);
    expect(r.code).toBe(1);
    const waits = r.stdout.split('\n').filter((l) => l.includes('cannot reach the database yet; waiting for it'));
    expect(waits.length).toBeGreaterThanOrEqual(3); // 250 ms, 500 ms, 1 s, ...
    expect(r.stderr).toMatch(/^sogs: cannot start: cannot connect to postgresql:\/\/sogs@127\.0\.0\.1:1\/sogs: /);
  }, 60_000);

  it('rejects a key file of the wrong size', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-key-'));
    try {
      fs.writeFileSync(path.join(other, 'key_x25519'), Buffer.alloc(31));
      const r = await run(SERVER_JS, [], { ...env(), SOGS_DATA_DIR: other });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/must hold exactly 32 raw bytes \(it holds 31\)/);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

function safeReadlink(p: string): string {
  try {
    return fs.readlinkSync(p);
  } catch {
    return '';
  }
}
