import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { initCrypto } from '../../src/crypto';
import { build, CLI_JS, run, startServer, Started } from '../support/processes';
import { SessionClient } from '../support/session-client';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { testPostgresUrl } from '../support/test-env';

/**
 * The built server with two worker processes on one database (SOGS_WORKERS=2): on PostgreSQL when
 * the suite runs against it, else on the embedded database that the primary process serves to its
 * workers. What the workers must share holds across them: a nonce is accepted once, the post rate
 * limit counts every worker's posts, the cleanup runs in one of them; SIGTERM stops them all.
 */
describe('two server workers on one database', () => {
  let dataDir: string;
  let database: TestDatabase | undefined;
  let server: Started;
  let env: Record<string, string>;
  let base: { port: number };
  let serverPk: Buffer;

  beforeAll(async () => {
    await Promise.all([build(), initCrypto()]);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-cluster-'));
    env = {
      SOGS_DATA_DIR: dataDir,
      SOGS_PORT: '0',
      SOGS_WORKERS: '2',
      SOGS_WORKER_HEAP_MB: '256',
      SOGS_LOG_LEVEL: 'debug',
      SOGS_CLEANUP_INTERVAL_SECONDS: '1',
      SOGS_BASE_URL: 'http://chat.example.org',
      SOGS_BOT_API_LISTEN: path.join(dataDir, 'bots.sock'),
    };
    if (testPostgresUrl()) {
      database = await openTestDatabase();
      env.DATABASE_URL = database.connection.url;
    }
    server = await startServer(env);
    base = { port: server.port };
    serverPk = Buffer.from(/public key\s+([0-9a-f]{64})/.exec(server.stderr())![1], 'hex');
    expect(await run(CLI_JS, ['rooms', 'add', 'lobby', '--name', 'Lobby'], env)).toMatchObject({ code: 0 });
  }, 240_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null) await server.stop();
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** One request on a connection of its own, so the primary hands consecutive ones to alternate workers. */
  function send(method: string, url: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: base.port, method, path: url, headers, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** The worker index of each log line with this message since `from` (stdout offset). */
  const loggedBy = (msg: string, from: number) =>
    server
      .stdout()
      .slice(from)
      .split('\n')
      .filter((l) => l.includes(`"msg":"${msg}"`))
      .map((l) => JSON.parse(l).worker as number);
  const workersThatServed = (from: number) => new Set(loggedBy('request', from));

  it('runs two workers (with the heap limit asked for) under one primary and prints one banner', async () => {
    expect(server.stderr().match(/Session community server is running/g)).toHaveLength(1);
    expect(server.stderr()).toContain('processes      2 workers (SOGS_WORKERS)');
    expect(server.stderr()).toContain(`bot API        unix:${path.join(dataDir, 'bots.sock')}\n`);
    const children = childrenOf(server.child.pid!);
    expect(children).toHaveLength(2);
    for (const pid of children) expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--max-old-space-size=256');
  });

  it('serves the bot API once, on the socket the banner names (worker 0)', async () => {
    const status = await new Promise<number>((resolve, reject) =>
      http
        .request({ socketPath: path.join(dataDir, 'bots.sock'), method: 'POST', path: '/bots/helper/rooms/lobby/messages' }, (res) => (res.resume(), resolve(res.statusCode!)))
        .on('error', reject)
        .end('{}'),
    );
    expect(status).toBe(401); // no token
    expect(loggedBy('bot API listening', 0)).toEqual([0]);
  });

  it('accepts a nonce once, whichever worker sees it first', async () => {
    const from = server.stdout().length;
    const client = SessionClient.random(serverPk);
    const outcomes: number[][] = [];
    for (let i = 0; i < 12; i++) {
      const headers = client.headers({ method: 'GET', url: '/capabilities', nonce: randomBytes(16) });
      const pair = await Promise.all([send('GET', '/capabilities', headers), send('GET', '/capabilities', headers)]);
      outcomes.push(pair.map((r) => r.status).sort());
    }
    expect(outcomes).toEqual(Array.from({ length: 12 }, () => [200, 425]));
    expect(workersThatServed(from)).toEqual(new Set([0, 1]));
  });

  it('holds the post rate limit (5 per 16 s) across both workers', async () => {
    const from = server.stdout().length;
    const poster = SessionClient.random(serverPk);
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => {
        const body = Buffer.from(JSON.stringify({ data: randomBytes(100).toString('base64'), signature: randomBytes(64).toString('base64') }));
        const headers = { ...poster.headers({ method: 'POST', url: '/room/lobby/message', body }), 'content-type': 'application/json' };
        return send('POST', '/room/lobby/message', headers, body);
      }),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429, 429, 429]);
    expect(workersThatServed(from)).toEqual(new Set([0, 1]));
    const messages = await send('GET', '/room/lobby/messages/recent', {});
    expect(JSON.parse(messages.body)).toHaveLength(5);
  });

  it('runs the cleanup in one worker only', async () => {
    const from = server.stdout().length;
    await new Promise((r) => setTimeout(r, 3500));
    const rounds = loggedBy('cleanup round', from);
    expect(rounds.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rounds)).toEqual(new Set([0]));
  }, 10_000);

  it('replaces a worker that dies, and keeps answering', async () => {
    const [victim] = childrenOf(server.child.pid!);
    process.kill(victim, 'SIGKILL');
    let children: number[] = [];
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 200));
      children = childrenOf(server.child.pid!);
      if (children.length === 2 && !children.includes(victim) && (await send('GET', '/rooms', {})).status === 200) break;
    }
    expect(children).toHaveLength(2);
    expect(children).not.toContain(victim);
    expect(server.stdout()).toContain('"msg":"worker exited; starting a new one"');
    for (let i = 0; i < 4; i++) expect((await send('GET', '/room/lobby', {})).status).toBe(200);
  }, 30_000);

  it('stops every worker on SIGTERM and exits 0', async () => {
    const children = childrenOf(server.child.pid!);
    expect(await server.stop()).toBe(0);
    expect(children.filter(isAlive)).toEqual([]);
    if (!database) expect(fs.existsSync(path.join(dataDir, 'db.lock'))).toBe(false);
  }, 60_000);
});

/** The pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
