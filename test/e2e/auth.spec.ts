import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { blindedIdCandidates } from '../../src/crypto';
import { ModerationService } from '../../src/moderation/moderation.service';
import { RoomsService } from '../../src/rooms/rooms.service';
import { UsersRepository } from '../../src/users/users.repository';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

const TEXT = 'text/plain; charset=utf-8';

describe('X-SOGS-* request authentication (blinded server)', () => {
  let t: TestApp;
  let alice: SessionClient;
  const now = () => String(Math.floor(t.clock.now()));

  beforeAll(async () => {
    t = await createTestApp();
    alice = SessionClient.random(t.serverKey.publicKey);
  });
  afterAll(() => t.close());

  const userRow = (sessionId: string) => t.app.get(UsersRepository).findBySessionId(sessionId);

  it('lets an anonymous request through', async () => {
    await request(t.server).get('/capabilities').expect(200);
  });

  it('accepts a blinded signature and creates the user', async () => {
    await signed(t.server, alice, 'GET', '/capabilities').expect(200);
    expect(await userRow(alice.blindedId)).toMatchObject({ session_id: alice.blindedId, banned: false });
  });

  it.each(['base64', 'base64-unpadded', 'hex'] as const)('accepts %s header encodings', async (encoding) => {
    await signed(t.server, alice, 'GET', '/capabilities?required=sogs', { encoding }).expect(200);
  });

  it('verifies percent-encoded and raw UTF-8 paths the same way', async () => {
    // Signed over the decoded path; the 404 (no such route) shows authentication passed.
    await signed(t.server, alice, 'GET', '/nothing/%F0%9F%8D%8D').expect(404);
  });

  describe('rejections with the exact status and text', () => {
    const cases: Array<[string, () => Record<string, string>, number, string]> = [
      ['one header missing', () => drop(h(), 'X-SOGS-Nonce'), 400, 'Invalid authentication headers: missing 1/4 required X-SOGS-* headers'],
      ['three headers missing', () => ({ 'X-SOGS-Pubkey': h()['X-SOGS-Pubkey'] }), 400, 'Invalid authentication headers: missing 3/4 required X-SOGS-* headers'],
      ['an empty header counts as missing', () => ({ ...h(), 'X-SOGS-Signature': '' }), 400, 'Invalid authentication headers: missing 1/4 required X-SOGS-* headers'],
      ['pubkey not hex or base64', () => ({ ...h(), 'X-SOGS-Pubkey': 'zz' + h()['X-SOGS-Pubkey'].slice(2) }), 400, 'Invalid authentication: X-SOGS-Pubkey is not a valid 66-hex digit id'],
      ['pubkey too short', () => ({ ...h(), 'X-SOGS-Pubkey': h()['X-SOGS-Pubkey'].slice(0, 64) }), 400, 'Invalid authentication: X-SOGS-Pubkey is not a valid 66-hex digit id'],
      ['pubkey prefix 05', () => ({ ...h(), 'X-SOGS-Pubkey': '05' + h()['X-SOGS-Pubkey'].slice(2) }), 400, 'Invalid authentication: X-SOGS-Pubkey must be 00- or 15- prefixed'],
      ['pubkey prefix 25', () => ({ ...h(), 'X-SOGS-Pubkey': '25' + h()['X-SOGS-Pubkey'].slice(2) }), 400, 'Invalid authentication: X-SOGS-Pubkey must be 00- or 15- prefixed'],
      ['pubkey not on the curve', () => ({ ...h(), 'X-SOGS-Pubkey': '15' + 'ff'.repeat(32) }), 400, 'Invalid authentication: given X-SOGS-Pubkey is not a valid Ed25519 pubkey'],
      ['pubkey of small order', () => ({ ...h(), 'X-SOGS-Pubkey': '15' + '00'.repeat(32) }), 400, 'Invalid authentication: given X-SOGS-Pubkey is not a valid Ed25519 pubkey'],
      ['unblinded key on a blinded server', () => alice.headers({ method: 'GET', url: '/capabilities', unblinded: true }), 400, 'Invalid authentication: this server requires the use of blinded ids'],
      ['nonce of 15 bytes', () => ({ ...h(), 'X-SOGS-Nonce': randomBytes(15).toString('base64') }), 400, 'Invalid authentication: X-SOGS-Nonce must be 16 bytes (encoded as base64 or hex)'],
      ['nonce with url-safe base64', () => ({ ...h(), 'X-SOGS-Nonce': '-_' + randomBytes(15).toString('base64').slice(0, 20) }), 400, 'Invalid authentication: X-SOGS-Nonce must be 16 bytes (encoded as base64 or hex)'],
      ['signature of 63 bytes', () => ({ ...h(), 'X-SOGS-Signature': randomBytes(63).toString('base64') }), 400, 'Invalid authentication: X-SOGS-Signature is not base64[88]'],
      ['signature not base64', () => ({ ...h(), 'X-SOGS-Signature': '!'.repeat(88) }), 400, 'Invalid authentication: X-SOGS-Signature is not base64[88]'],
      ['timestamp not a number', () => ({ ...h(), 'X-SOGS-Timestamp': 'yesterday' }), 400, 'Invalid authentication: X-SOGS-Timestamp is not a valid timestamp'],
      ['timestamp a float', () => ({ ...h(), 'X-SOGS-Timestamp': '1642472103.5' }), 400, 'Invalid authentication: X-SOGS-Timestamp is not a valid timestamp'],
      ['timestamp 86402 s old', () => h({ timestamp: String(Number(now()) - 86402) }), 425, 'Invalid authentication: X-SOGS-Timestamp is too far from current time'],
      ['timestamp 86402 s ahead', () => h({ timestamp: String(Number(now()) + 86402) }), 425, 'Invalid authentication: X-SOGS-Timestamp is too far from current time'],
      ['a wrong signature', () => ({ ...h(), 'X-SOGS-Signature': randomBytes(64).toString('base64') }), 401, 'Invalid authentication: X-SOGS-Signature verification failed'],
      ['a signature for another path', () => alice.headers({ method: 'GET', url: '/rooms' }), 401, 'Invalid authentication: X-SOGS-Signature verification failed'],
      ['a signature for another method', () => alice.headers({ method: 'POST', url: '/capabilities' }), 401, 'Invalid authentication: X-SOGS-Signature verification failed'],
      ['a signature for another server', () => SessionClient.random(randomBytes(32)).headers({ method: 'GET', url: '/capabilities' }), 401, 'Invalid authentication: X-SOGS-Signature verification failed'],
    ];
    const h = (o: { timestamp?: string } = {}) => alice.headers({ method: 'GET', url: '/capabilities', ...o });
    const drop = (headers: Record<string, string>, name: string) => {
      const copy = { ...headers };
      delete copy[name];
      return copy;
    };

    it.each(cases)('%s', async (_name, headers, status, text) => {
      const res = await request(t.server).get('/capabilities').set(headers());
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toBe(TEXT);
      expect(res.text).toBe(text);
    });
  });

  it('accepts timestamps 86399 s away in either direction', async () => {
    for (const delta of [-86399, 86399]) {
      await signed(t.server, alice, 'GET', '/capabilities', { timestamp: String(Math.floor(t.clock.now()) + delta) }).expect(200);
    }
  });

  it('rejects a replayed nonce with 425, even from another user', async () => {
    const nonce = randomBytes(16);
    await signed(t.server, alice, 'GET', '/capabilities', { nonce }).expect(200);
    const again = await signed(t.server, alice, 'GET', '/capabilities', { nonce });
    expect(again.status).toBe(425);
    expect(again.text).toBe('Invalid authentication: X-SOGS-Nonce cannot be reused');
    const bob = SessionClient.random(t.serverKey.publicKey);
    expect((await signed(t.server, bob, 'GET', '/capabilities', { nonce, encoding: 'hex' })).status).toBe(425);
  });

  it('burns the nonce of a request with a bad signature', async () => {
    const nonce = randomBytes(16);
    const headers = { ...alice.headers({ method: 'GET', url: '/capabilities', nonce }), 'X-SOGS-Signature': randomBytes(64).toString('base64') };
    await request(t.server).get('/capabilities').set(headers).expect(401);
    expect((await signed(t.server, alice, 'GET', '/capabilities', { nonce })).status).toBe(425);
  });

  it('does not create a user for a badly signed request', async () => {
    const mallory = SessionClient.random(t.serverKey.publicKey);
    const headers = { ...mallory.headers({ method: 'GET', url: '/capabilities' }), 'X-SOGS-Signature': randomBytes(64).toString('base64') };
    await request(t.server).get('/capabilities').set(headers).expect(401);
    expect(await userRow(mallory.blindedId)).toBeUndefined();
  });

  it('answers a globally banned user 403 Banned before checking the signature or nonce', async () => {
    const banned = SessionClient.random(t.serverKey.publicKey);
    await signed(t.server, banned, 'GET', '/capabilities').expect(200);
    const system = (await t.app.get(UsersRepository).findById(0))!;
    await t.app.get(ModerationService).ban(system, banned.blindedId, { global: true }, null);
    const nonce = randomBytes(16);
    const res = await request(t.server)
      .get('/capabilities')
      .set({ ...banned.headers({ method: 'GET', url: '/capabilities', nonce }), 'X-SOGS-Signature': randomBytes(64).toString('base64') });
    expect(res.status).toBe(403);
    expect(res.text).toBe('Banned');
    // The ban check comes before the nonce is recorded: after an unban the same nonce still works.
    await t.app.get(ModerationService).unban(system, banned.blindedId, { global: true });
    await signed(t.server, banned, 'GET', '/capabilities', { nonce }).expect(200);
  });

  it('creates exactly one user for concurrent first requests', async () => {
    const fresh = SessionClient.random(t.serverKey.publicKey);
    const results = await Promise.all(Array.from({ length: 12 }, () => signed(t.server, fresh, 'GET', '/capabilities')));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    const rows = await t.database.query(`SELECT id FROM users WHERE session_id = $1`, [fresh.blindedId]);
    expect(rows).toHaveLength(1);
  });

  it('never answers 5xx to odd header values', async () => {
    const odd = ['', ' ', 'x'.repeat(10000), '\u00ff\u00fe', '=', '==', '0x', '-1', '99999999999999999999', 'AAAA'.repeat(22)];
    for (const name of ['X-SOGS-Pubkey', 'X-SOGS-Nonce', 'X-SOGS-Timestamp', 'X-SOGS-Signature']) {
      for (const value of odd) {
        const headers = { ...alice.headers({ method: 'GET', url: '/capabilities' }), [name]: value };
        const res = await request(t.server).get('/capabilities').set(headers);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
    }
  });

  describe('a moderator appointed by 05 id reaches the blinded user', () => {
    /** Accounts whose true blinded key is the sign-cleared candidate (+) or the other one (−). */
    function clientWithSign(positive: boolean): SessionClient {
      for (;;) {
        const c = SessionClient.random(t.serverKey.publicKey);
        const cands = blindedIdCandidates(c.sessionId, t.serverKey.publicKey)!;
        if ((c.blindedId === cands.abs) === positive) return c;
      }
    }

    it.each([
      ['positive', true],
      ['negative', false],
    ])('for a %s blinded key', async (_sign, positive) => {
      const room = await t.app.get(RoomsService).create({ token: `mods-${positive ? 'pos' : 'neg'}` });
      const c = clientWithSign(positive);
      const system = (await t.app.get(UsersRepository).findById(0))!;
      const moderation = t.app.get(ModerationService);
      await moderation.setModerator(system, c.sessionId, { rooms: [room] }, { moderator: true });
      await moderation.setModerator(system, c.sessionId, { global: true }, { admin: true });
      expect(await t.database.query(`SELECT blinded_abs FROM needs_blinding`)).toContainEqual({
        blinded_abs: blindedIdCandidates(c.sessionId, t.serverKey.publicKey)!.abs,
      });
      await signed(t.server, c, 'GET', '/capabilities').expect(200);
      const user = (await userRow(c.blindedId))!;
      expect(user).toMatchObject({ admin: true, moderator: true });
      const [o] = await t.database.query(`SELECT moderator, visible_mod FROM user_permission_overrides WHERE "user" = $1`, [user.id]);
      expect(o).toEqual({ moderator: true, visible_mod: true });
      expect(await userRow(c.sessionId)).toMatchObject({ admin: false, moderator: false });
      const mods = await moderation.listModerators(room);
      expect(mods.map((m) => m.session_id)).toContain(c.blindedId);
      expect(mods.map((m) => m.session_id)).not.toContain(c.sessionId);
      // Once the blinded user exists, a 05 id resolves straight to it.
      const again = await moderation.setModerator(system, c.sessionId, { rooms: [room] }, { moderator: false });
      expect(again.session_id).toBe(c.blindedId);
    });

    it('a ban given to the 05 id makes the first blinded request 403 Banned', async () => {
      const c = SessionClient.random(t.serverKey.publicKey);
      const system = (await t.app.get(UsersRepository).findById(0))!;
      await t.app.get(ModerationService).ban(system, c.sessionId, { global: true }, null);
      const res = await signed(t.server, c, 'GET', '/capabilities');
      expect(res.status).toBe(403);
      expect(res.text).toBe('Banned');
    });
  });
});

describe('X-SOGS-* authentication on a server that allows unblinded ids', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_REQUIRE_BLIND_KEYS: 'no' } });
  });
  afterAll(() => t.close());

  it('accepts 00 keys and records the user under its 05 id', async () => {
    const c = SessionClient.random(t.serverKey.publicKey);
    await signed(t.server, c, 'GET', '/capabilities', { unblinded: true }).expect(200);
    await signed(t.server, c, 'GET', '/capabilities').expect(200);
    const ids = (await t.database.query(`SELECT session_id FROM users WHERE id <> 0 ORDER BY id`)).map((r) => r.session_id);
    expect(ids).toEqual([c.sessionId, c.blindedId]);
  });
});
