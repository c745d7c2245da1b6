import { randomBytes } from 'node:crypto';
import { blindedIdCandidates } from '../../src/crypto';
import { runStartupTasks } from '../../src/core/open-runtime';
import { CLEANUP_IDLE_LIMIT_MS, CleanupService } from '../../src/jobs/cleanup.service';
import { ModerationService } from '../../src/moderation/moderation.service';
import { UsersRepository } from '../../src/users/users.repository';
import { UsersService } from '../../src/users/users.service';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';
import { testPostgresUrl } from '../support/test-env';

describe('nonce expiry and the blinding queue', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('the cleanup job forgets nonces after 24 hours, not before', async () => {
    const c = SessionClient.random(t.serverKey.publicKey);
    const nonce = randomBytes(16);
    await signed(t.server, c, 'GET', '/capabilities', { nonce }).expect(200);
    const count = async () => (await t.database.query(`SELECT count(*)::int AS n FROM user_request_nonces WHERE nonce = $1`, [nonce]))[0].n;
    const cleanup = t.app.get(CleanupService);
    t.clock.advance(86400 - 5);
    expect(await cleanup.runOnce()).toBe(true);
    expect(await count()).toBe(1);
    t.clock.advance(10);
    expect(await cleanup.runOnce()).toBe(true);
    expect(await count()).toBe(0);
    t.clock.advance(-86405);
  });

  it('remembers a nonce for as long as its timestamp is acceptable, also a timestamp ahead of the clock', async () => {
    const c = SessionClient.random(t.serverKey.publicKey);
    const start = t.clock.now();
    const nonce = randomBytes(16);
    const timestamp = String(Math.floor(start) + 12 * 3600);
    const cleanup = t.app.get(CleanupService);
    try {
      await signed(t.server, c, 'GET', '/capabilities', { nonce, timestamp }).expect(200);
      t.clock.advance(86400 + 30);
      expect(await cleanup.runOnce()).toBe(true);
      const replay = await signed(t.server, c, 'GET', '/capabilities', { nonce, timestamp });
      expect(replay.status).toBe(425);
      expect(replay.text).toBe('Invalid authentication: X-SOGS-Nonce cannot be reused');
      // Once the timestamp itself is too old, the clock refuses it and the nonce can go.
      t.clock.advance(12 * 3600);
      expect(await cleanup.runOnce()).toBe(true);
      expect(await t.database.query(`SELECT 1 FROM user_request_nonces WHERE nonce = $1`, [nonce])).toEqual([]);
      const late = await signed(t.server, c, 'GET', '/capabilities', { nonce, timestamp });
      expect(late.status).toBe(425);
      expect(late.text).toBe('Invalid authentication: X-SOGS-Timestamp is too far from current time');
    } finally {
      t.clock.advance(start - t.clock.now());
    }
  });

  // Two sessions are needed to hold a lock against each other; the embedded database has one.
  (testPostgresUrl() ? it : it.skip)('runs one cleanup round at a time across instances (advisory lock, PostgreSQL)', async () => {
    const cleanup = t.app.get(CleanupService);
    // Hold the lock from another connection, as a second server instance would.
    const other = await t.database.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(7352112002)');
      expect(await cleanup.runOnce()).toBe(false);
      await other.query('COMMIT');
    } finally {
      other.release();
    }
    expect(await cleanup.runOnce()).toBe(true);
  });

  (testPostgresUrl() ? it : it.skip)('takes the lock from an instance that froze mid-round, within the idle limit (PostgreSQL)', async () => {
    const cleanup = t.app.get(CleanupService);
    let stall = true;
    let resume!: () => void;
    const frozen = new Promise<void>((resolve) => (resume = resolve));
    cleanup.register('stalls while asked to', async () => {
      if (stall) await frozen;
      return 0;
    });
    cleanup.idleLimitMs = 1000;
    const other = await t.database.pool.connect();
    try {
      // The round holds the lock and then stops sending anything, as a frozen or vanished instance.
      const round = cleanup.runOnce();
      const lockedOut = async () => {
        await other.query('BEGIN');
        try {
          return !(await other.query('SELECT pg_try_advisory_xact_lock(7352112002) AS locked')).rows[0].locked;
        } finally {
          await other.query('ROLLBACK');
        }
      };
      const start = Date.now();
      await new Promise((r) => setTimeout(r, 300));
      expect(await lockedOut()).toBe(true);
      while ((await lockedOut()) && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 100));
      expect(await lockedOut()).toBe(false);
      expect(Date.now() - start).toBeLessThan(5000);
      // When the instance wakes up, its round fails (its session is gone) and the next one runs.
      stall = false;
      resume();
      await expect(round).rejects.toThrow();
      expect(await cleanup.runOnce()).toBe(true);
    } finally {
      stall = false;
      resume();
      cleanup.idleLimitMs = CLEANUP_IDLE_LIMIT_MS;
      other.release();
    }
  });

  it('queues unblinded users who hold roles or bans at startup', async () => {
    const c = SessionClient.random(t.serverKey.publicKey);
    // As if given on an unblinded server: a global moderator row under the 05 id, not queued.
    await t.database.query(`INSERT INTO users (session_id, created, last_active, moderator) VALUES ($1, 0, 0, true)`, [c.sessionId]);
    await runStartupTasks(t.app);
    const abs = blindedIdCandidates(c.sessionId, t.serverKey.publicKey)!.abs;
    expect(await t.database.query(`SELECT blinded_abs FROM needs_blinding nb JOIN users u ON u.id = nb."user" WHERE u.session_id = $1`, [c.sessionId])).toEqual([
      { blinded_abs: abs },
    ]);
    await signed(t.server, c, 'GET', '/capabilities').expect(200);
    expect(await t.app.get(UsersRepository).findBySessionId(c.blindedId)).toMatchObject({ moderator: true });
    expect(await t.app.get(UsersService).queueUnblindedForBlinding()).toBe(0);
  });

  it('a ban with a timeout schedules the unban once, replacing an earlier schedule', async () => {
    const c = SessionClient.random(t.serverKey.publicKey);
    const system = (await t.app.get(UsersRepository).findById(0))!;
    const moderation = t.app.get(ModerationService);
    await moderation.ban(system, c.blindedId, { global: true }, 3600);
    await moderation.ban(system, c.blindedId, { global: true }, 60);
    const futures = await t.database.query(`SELECT f.at, f.banned, f.room FROM user_ban_futures f JOIN users u ON u.id = f."user" WHERE u.session_id = $1`, [c.blindedId]);
    expect(futures).toHaveLength(1);
    expect(futures[0]).toMatchObject({ banned: false, room: null });
    expect(futures[0].at - t.clock.now()).toBeLessThanOrEqual(60);
    await moderation.ban(system, c.blindedId, { global: true }, null);
    expect(await t.database.query(`SELECT 1 FROM user_ban_futures f JOIN users u ON u.id = f."user" WHERE u.session_id = $1`, [c.blindedId])).toEqual([]);
  });
});
