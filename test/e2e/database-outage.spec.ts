import { Client } from 'pg';
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

describe('what counts as the database being away', () => {
  it('connection failures and server shutdowns do; statement faults and missing files do not', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable({ name: 'QueryFailedError', message: 'x', driverError: { code: '08006', message: 'connection failure' } })).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("ENOENT: no such file, open 'x'"), { code: 'ENOENT', syscall: 'open' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
  });
});
