import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { build, startServer, Started } from '../support/processes';
import { freePort, TcpProxy } from '../support/tcp-proxy';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';
import { testPostgresUrl } from '../support/test-env';
import { isDatabaseUnavailable } from '../../src/database/unavailable';

/**
 * Issue #14, item 5 (first part): while PostgreSQL refuses this server, requests get 503 with
 * Retry-After, not 500, and the server recovers by itself when the database is back.
 */
(testPostgresUrl() ? describe : describe.skip)('a database that cannot be reached (PostgreSQL)', () => {
  let t: TestApp;
  let admin: Client;
  let name: string;

  beforeAll(async () => {
    t = await createTestApp();
    name = new URL(t.database.connection.url).pathname.slice(1);
    admin = new Client({ connectionString: testPostgresUrl() });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await admin.end();
    await t.close();
  });

  it('answers 503 with Retry-After while connections are refused, then serves again', async () => {
    const alice = t.newClient();
    await signed(t.server, alice, 'GET', '/capabilities').expect(200);
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
    for (const req of [signed(t.server, alice, 'GET', '/capabilities'), signed(t.server, null, 'GET', '/rooms')]) {
      const res = await req;
      expect([res.status, res.headers['retry-after'], res.headers['content-type']]).toEqual([503, '5', 'text/plain; charset=utf-8']);
      expect(res.text).toBe('Service unavailable: the database cannot be reached; try again shortly');
    }
    // Inside a batch the subrequest says the same.
    const batch = await signed(t.server, null, 'POST', '/batch', { json: [{ method: 'GET', path: '/rooms' }] });
    expect(batch.status).toBe(200);
    expect(batch.body[0].code).toBe(503);
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await signed(t.server, alice, 'GET', '/capabilities').expect(200);
  });
});

/**
 * Issue #14, item 5: a database that hangs (frozen host, lost network) and one that is not up yet
 * when the server starts, seen by the built server through a relay the test can freeze.
 */
(testPostgresUrl() ? describe : describe.skip)('a database that hangs or starts late (PostgreSQL, the built server)', () => {
  let database: TestDatabase;
  let dataDir: string;
  const target = () => new URL(testPostgresUrl()!);
  /** The test database's URL, but through `port` on this machine. */
  const via = (port: number) => {
    const u = new URL(database.connection.url);
    u.hostname = '127.0.0.1';
    u.port = String(port);
    return u.toString();
  };
  const env = (port: number, extra: Record<string, string> = {}) => ({
    DATABASE_URL: via(port),
    SOGS_DATA_DIR: dataDir,
    SOGS_PORT: '0',
    SOGS_WORKERS: '1',
    SOGS_LOG_LEVEL: 'warn',
    SOGS_CLEANUP_INTERVAL_SECONDS: '0',
    ...extra,
  });

  beforeAll(async () => {
    await build();
    database = await openTestDatabase({ migrate: false });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-outage-'));
  }, 180_000);
  afterAll(async () => {
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 within the statement timeout while the database hangs, and /readyz within 2 s; recovers by itself', async () => {
    const proxy = await TcpProxy.start({ host: target().hostname, port: Number(target().port || 5432) });
    let server: Started | undefined;
    try {
      server = await startServer(env(proxy.port, { SOGS_DATABASE_TIMEOUT_SECONDS: '1' }));
      const url = (p: string) => `http://127.0.0.1:${server!.port}${p}`;
      expect((await fetch(url('/rooms'))).status).toBe(200);
      proxy.freeze();
      for (const [p, within] of [['/rooms', 4000], ['/readyz', 3000], ['/rooms', 4000]] as const) {
        const began = Date.now();
        const res = await fetch(url(p));
        expect([p, res.status]).toEqual([p, 503]);
        expect(Date.now() - began).toBeLessThan(within);
        if (p === '/rooms') expect(res.headers.get('retry-after')).toBe('5');
      }
      proxy.thaw();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await fetch(url('/rooms'))).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(200);
      expect((await fetch(url('/readyz'))).status).toBe(200);
    } finally {
      proxy.thaw();
      await server?.stop();
      await proxy.close();
    }
  }, 120_000);

  it('waits at start for a database that comes up later, logging each retry', async () => {
    const port = await freePort();
    // At first the port answers by hanging up (a database still starting); after two tries, the database.
    let proxy: TcpProxy | undefined;
    let tries = 0;
    const starting = net.createServer((s) => {
      s.destroy();
      if (++tries === 2) {
        starting.close(async () => {
          proxy = await TcpProxy.start({ host: target().hostname, port: Number(target().port || 5432) }, port);
        });
      }
    });
    await new Promise<void>((resolve) => starting.listen(port, '127.0.0.1', resolve));
    let server: Started | undefined;
    try {
      server = await startServer(env(port, { SOGS_DATABASE_WAIT_SECONDS: '30' }));
      expect(tries).toBeGreaterThanOrEqual(2);
      expect(server.stdout().match(/cannot reach the database yet; waiting for it/g)?.length).toBeGreaterThanOrEqual(2);
      expect((await fetch(`http://127.0.0.1:${server.port}/readyz`)).status).toBe(200);
    } finally {
      await server?.stop();
      starting.close();
      await proxy?.close();
    }
  }, 120_000);
});

describe('what counts as the database being away', () => {
  it('connection failures and server shutdowns do; statement faults and missing files do not', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable({ name: 'QueryFailedError', message: 'x', driverError: { code: '08006', message: 'connection failure' } })).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Query read timeout'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("ENOENT: no such file, open 'x'"), { code: 'ENOENT', syscall: 'open' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
  });
});
