import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { build, CLI_JS, ROOT, run, SERVER_JS, startServer, Started } from '../support/processes';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { testPostgresUrl } from '../support/test-env';

const NOBODY = { uid: 65534, gid: 65534 };
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(64)]);

/** Every file and directory under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

/**
 * The built admin CLI as operators run it, next to the built server: it works on the server it is
 * pointed at (the installation's data directory or SOGS_DATA_DIR, never `./data` of wherever it
 * runs), creates a data directory, key or database only when told (`sogs init`), refuses a key
 * that is not the server's and a data directory owned by another user.
 */
describe('the admin CLI finds its server and creates nothing unless told', () => {
  let scratch: string;
  /** A working directory that is neither the installation nor a data directory. */
  let elsewhere: string;
  let server: Started | undefined;

  beforeAll(async () => {
    await build();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-setup-'));
    fs.chmodSync(scratch, 0o755); // `nobody` passes through it below
    elsewhere = path.join(scratch, 'elsewhere');
    fs.mkdirSync(elsewhere);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('run from another directory without settings, uses the installation\'s data directory, never ./data there', async () => {
    const r = await run(CLI_JS, ['rooms', 'list'], {}, { cwd: elsewhere });
    expect(tree(elsewhere)).toEqual([]);
    const installed = path.join(ROOT, 'data');
    if (fs.existsSync(installed)) {
      // A developer's own server in this checkout: the CLI says it is using it.
      expect(r.stderr.split('\n')[0]).toContain(`sogs: using data directory ${installed} (the default: data/ in the installation directory)`);
    } else {
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `sogs: no data directory ${installed} (the default: data/ in the installation directory); nothing was created. ` +
          'Point the command at the server: set SOGS_DATA_DIR=/path/to/the/server/data (and DATABASE_URL if the server has one), ' +
          `or put them in the .env file of the installation directory ${ROOT}; or run "sogs init" to set up a new server there\n`,
      );
      expect(fs.existsSync(installed)).toBe(false);
    }
  }, 120_000);

  it('exits 1 naming what is missing, and creates nothing: no data directory, no key, no embedded database', async () => {
    const dir = path.join(scratch, 'partial');
    const missing = await run(CLI_JS, ['key'], { SOGS_DATA_DIR: dir }, { cwd: elsewhere });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(new RegExp(`^sogs: no data directory ${dir} \\(SOGS_DATA_DIR\\); nothing was created\\. .*sogs init`));
    expect(fs.existsSync(dir)).toBe(false);

    fs.mkdirSync(dir);
    const noKey = await run(CLI_JS, ['rooms', 'add', 'lobby'], { SOGS_DATA_DIR: dir }, { cwd: elsewhere });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(new RegExp(`^sogs: no server key ${path.join(dir, 'key_x25519')} \\(SOGS_DATA_DIR\\); nothing was created`));
    expect(tree(dir)).toEqual([]);

    fs.writeFileSync(path.join(dir, 'key_x25519'), randomBytes(32), { mode: 0o600 });
    const noDb = await run(CLI_JS, ['migrations', 'status'], { SOGS_DATA_DIR: dir }, { cwd: elsewhere });
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toMatch(new RegExp(`^sogs: no embedded database in ${path.join(dir, 'db')} \\(SOGS_DATA_DIR\\)`));
    expect(tree(dir)).toEqual(['key_x25519']);
    expect(noDb.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);

  let dataDir: string;
  let publicKey: string;

  it('`sogs init` creates the data directory, key and database, and then changes nothing', async () => {
    dataDir = path.join(scratch, 'server');
    const first = await run(CLI_JS, ['init'], { SOGS_DATA_DIR: dataDir }, { cwd: elsewhere });
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    publicKey = /public key\s+([0-9a-f]{64})/.exec(first.stdout)![1];
    expect(first.stdout).toContain(`Created the data directory ${dataDir}\n`);
    expect(first.stdout).toContain(`Created the server key ${path.join(dataDir, 'key_x25519')} (back it up`);
    expect(first.stdout).toContain(`Created the embedded database in ${path.join(dataDir, 'db')}\n`);
    expect(first.stdout).toMatch(/Applied \d+ migrations/);
    expect(fs.statSync(path.join(dataDir, 'key_x25519')).mode & 0o777).toBe(0o600);
    expect(tree(elsewhere)).toEqual([]);

    const key = fs.readFileSync(path.join(dataDir, 'key_x25519'));
    const files = tree(dataDir);
    const again = await run(CLI_JS, ['init'], { SOGS_DATA_DIR: dataDir }, { cwd: elsewhere });
    expect(again).toEqual({
      code: 0,
      stdout:
        'The server is already set up here; nothing changed.\n' +
        `  data directory  ${dataDir}\n` +
        `  database        embedded PGlite in ${path.join(dataDir, 'db')}\n` +
        `  public key      ${publicKey}\n`,
      stderr: '',
    });
    expect(fs.readFileSync(path.join(dataDir, 'key_x25519'))).toEqual(key);
    expect(tree(dataDir)).toEqual(files);
  }, 120_000);

  it('the server starts on what init made; `sogs key` from another directory prints the server\'s key', async () => {
    server = await startServer({ SOGS_DATA_DIR: dataDir, SOGS_PORT: '0', SOGS_LOG_LEVEL: 'warn', SOGS_BASE_URL: 'http://chat.example.org' });
    expect(server.stderr()).toContain(`public key     ${publicKey}`);
    expect(server.stderr()).not.toContain('created now');
    expect(await run(CLI_JS, ['key'], { SOGS_DATA_DIR: dataDir }, { cwd: elsewhere })).toEqual({ code: 0, stdout: `${publicKey}\n`, stderr: '' });
    const added = await run(CLI_JS, ['rooms', 'add', 'lobby'], { SOGS_DATA_DIR: dataDir, SOGS_BASE_URL: 'http://chat.example.org' }, { cwd: elsewhere });
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`join URL: http://chat.example.org/lobby?public_key=${publicKey}`);
    // `--verbose` (and a setting from a .env file) say which data directory and database are used.
    fs.writeFileSync(path.join(elsewhere, '.env'), `SOGS_DATA_DIR=${dataDir}\n`);
    try {
      const viaFile = await run(CLI_JS, ['key'], {}, { cwd: elsewhere });
      expect(viaFile.stdout).toBe(`${publicKey}\n`);
      expect(viaFile.stderr).toBe(
        `sogs: using data directory ${dataDir} (SOGS_DATA_DIR in ${path.join(elsewhere, '.env')}) and database embedded PGlite via the running server (${path.join(dataDir, 'db-socket')})\n`,
      );
    } finally {
      fs.rmSync(path.join(elsewhere, '.env'));
    }
    const verbose = await run(CLI_JS, ['--verbose', 'key'], { SOGS_DATA_DIR: dataDir }, { cwd: elsewhere });
    expect(verbose.stderr).toMatch(new RegExp(`^sogs: using data directory ${dataDir} \\(SOGS_DATA_DIR\\) and database embedded PGlite via the running server`));
    expect(await server.stop()).toBe(0);
    server = undefined;
  }, 180_000);

  describe('another data directory on the server\'s database', () => {
    let database: TestDatabase | undefined;
    let serverDir: string;
    let otherDir: string;
    let env: Record<string, string>;
    let serverKey: string;

    beforeAll(async () => {
      // On PostgreSQL: a server with DATABASE_URL, and a second data directory given its key.
      // On the embedded database: a copy of the server's data directory (database included).
      serverDir = path.join(scratch, 'first');
      otherDir = path.join(scratch, 'second');
      env = { SOGS_PORT: '0', SOGS_LOG_LEVEL: 'warn', SOGS_BASE_URL: 'http://chat.example.org' };
      if (testPostgresUrl()) {
        database = await openTestDatabase({ migrate: false });
        env.DATABASE_URL = database.connection.url;
      }
      const first = await startServer({ ...env, SOGS_DATA_DIR: serverDir });
      serverKey = /public key\s+([0-9a-f]{64})/.exec(first.stderr())![1];
      expect(await run(CLI_JS, ['rooms', 'add', 'lobby'], { ...env, SOGS_DATA_DIR: serverDir })).toMatchObject({ code: 0 });
      expect(await first.stop()).toBe(0);
      if (database) {
        fs.mkdirSync(otherDir, { mode: 0o700 });
        fs.copyFileSync(path.join(serverDir, 'key_x25519'), path.join(otherDir, 'key_x25519'));
      } else {
        fs.cpSync(serverDir, otherDir, { recursive: true });
      }
    }, 180_000);

    afterAll(async () => {
      await database?.close();
    });

    it('says which data directory it uses and which the server uses, and will not store a room image there', async () => {
      const key = await run(CLI_JS, ['key'], { ...env, SOGS_DATA_DIR: otherDir }, { cwd: elsewhere });
      expect(key.code).toBe(0);
      expect(key.stdout).toBe(`${serverKey}\n`);
      expect(key.stderr).toMatch(
        new RegExp(`^sogs: using data directory ${otherDir} \\(SOGS_DATA_DIR\\) and database .*; the server last started on this database uses data directory ${serverDir}\n$`),
      );
      const image = path.join(scratch, 'logo.png');
      fs.writeFileSync(image, PNG);
      const r = await run(CLI_JS, ['rooms', 'update', 'lobby', '--image', image], { ...env, SOGS_DATA_DIR: otherDir }, { cwd: elsewhere });
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')[1]).toBe(
        `sogs: the server on this database keeps its files in the data directory ${serverDir}, not in ${otherDir}, ` +
          `where it would never serve this one; run the command with SOGS_DATA_DIR=${serverDir}`,
      );
      expect(fs.readdirSync(path.join(otherDir, 'uploads'))).toEqual([]);
    }, 120_000);

    it('refuses a key that is not the server\'s (exit 1), and so does the server', async () => {
      fs.writeFileSync(path.join(otherDir, 'key_x25519'), randomBytes(32));
      const r = await run(CLI_JS, ['key'], { ...env, SOGS_DATA_DIR: otherDir }, { cwd: elsewhere });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(`^sogs: the database \\(.*\\) belongs to the server with public key ${serverKey} \\(its data directory: ${serverDir}\\), but the key ${path.join(otherDir, 'key_x25519')} is [0-9a-f]{64}; `),
      );
      const start = await run(SERVER_JS, [], { ...env, SOGS_DATA_DIR: otherDir });
      expect(start.code).toBe(1);
      expect(start.stderr).toMatch(new RegExp(`^sogs: cannot start: the database \\(.*\\) belongs to the server with public key ${serverKey}`));
      expect(start.stderr).not.toMatch(/\n\s+at /);
    }, 120_000);
  });

  const asRoot = process.getuid?.() === 0;
  (asRoot ? it : it.skip)('as root on a data directory owned by another user: refused, and no root-owned file appears', async () => {
    const dir = path.join(scratch, 'nobodys');
    fs.mkdirSync(dir);
    fs.chownSync(dir, NOBODY.uid, NOBODY.gid);
    const init = await run(CLI_JS, ['init'], { SOGS_DATA_DIR: dir }, { ...NOBODY, cwd: dir });
    expect({ code: init.code, stderr: init.stderr }).toEqual({ code: 0, stderr: '' });
    const files = tree(dir);
    for (const argv of [['rooms', 'add', 'lobby'], ['init'], ['key']]) {
      const r = await run(CLI_JS, argv, { SOGS_DATA_DIR: dir }, { cwd: elsewhere });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `sogs: the data directory ${dir} belongs to nobody, not to root running this command; files it created would be unreadable by the server. ` +
          `Run it as the owner: sudo -u nobody env SOGS_DATA_DIR=${dir} sogs … (sudo clears the environment: pass DATABASE_URL too if the server has one)\n`,
      );
    }
    expect(tree(dir)).toEqual(files);
    const rootOwned = files.filter((f) => fs.lstatSync(path.join(dir, f)).uid === 0);
    expect(rootOwned).toEqual([]);

    // What such a run used to leave behind: an uploads directory only root can enter. The server
    // now stops at start saying so, instead of answering 500 to every upload.
    const uploads = path.join(dir, 'uploads');
    fs.chownSync(uploads, 0, 0);
    fs.chmodSync(uploads, 0o700);
    const start = await run(SERVER_JS, [], { SOGS_DATA_DIR: dir, SOGS_PORT: '0' }, NOBODY);
    expect(start.code).toBe(1);
    expect(start.stderr).toBe(
      `sogs: cannot start: the uploads directory ${uploads} is not usable (EACCES); make it writable by this user (uid 65534) (e.g. chown -R) or set SOGS_DATA_DIR\n`,
    );
  }, 180_000);
});
