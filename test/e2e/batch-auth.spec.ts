import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { INTERNAL_REQUEST_HEADER, InternalRequests } from '../../src/auth/internal-requests';
import { SubrequestDispatcher } from '../../src/dispatch/subrequest-dispatcher';
import { UsersRepository } from '../../src/users/users.repository';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const AUTH_REQUIRED = 'X-SOGS-* request authentication required';

/**
 * Batches authenticate once, on the outer request, whose signature covers the whole body;
 * subrequests run as that user and never re-authenticate (§2.2, §5, §16.6).
 */
describe('/batch and /sequence authentication', () => {
  let t: TestApp;
  let alice: SessionClient;
  let bob: SessionClient;
  let dmToAlice: Record<string, unknown>;

  beforeAll(async () => {
    t = await createTestApp();
    alice = t.newClient();
    bob = t.newClient();
    for (const c of [alice, bob]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    // One message in Alice's inbox tells her inbox apart from Bob's (empty).
    const sent = await signed(t.server, bob, 'POST', `/inbox/${alice.blindedId}`, { json: { message: b64('hi alice') } }).expect(201);
    dmToAlice = { ...sent.body, message: b64('hi alice') };
  });
  afterAll(() => t.close());

  const batch = (client: SessionClient | null, subrequests: unknown, endpoint = '/batch') => signed(t.server, client, 'POST', endpoint, { json: subrequests });
  const inboxCount = async (client: SessionClient) => (await signed(t.server, client, 'GET', '/inbox').expect(200)).body.length;

  it('runs every subrequest as the outer user', async () => {
    const res = await batch(alice, [
      { method: 'GET', path: '/inbox' },
      { method: 'GET', path: '/outbox' },
    ]).expect(200);
    expect(res.body).toEqual([
      { code: 200, headers: { 'content-type': JSON_TYPE }, body: [dmToAlice] },
      { code: 200, headers: { 'content-type': JSON_TYPE }, body: [] },
    ]);
  });

  it('runs /sequence subrequests as the outer user too', async () => {
    const res = await batch(bob, [{ method: 'GET', path: '/outbox' }], '/sequence').expect(200);
    expect(res.body).toEqual([{ code: 200, headers: { 'content-type': JSON_TYPE }, body: [dmToAlice] }]);
  });

  it('runs subrequests of an anonymous batch anonymously', async () => {
    const res = await batch(null, [{ method: 'GET', path: '/inbox' }, { method: 'GET', path: '/capabilities' }]).expect(200);
    expect(res.body).toEqual([
      { code: 401, headers: { 'content-type': TEXT }, body: b64(AUTH_REQUIRED) },
      { code: 200, headers: { 'content-type': JSON_TYPE }, body: { capabilities: ['blind', 'reactions', 'sogs'] } },
    ]);
  });

  it('ignores valid inner X-SOGS-* headers: no re-authentication, and their nonce is not spent', async () => {
    const nonce = randomBytes(16);
    const bobHeaders = bob.headers({ method: 'GET', url: '/inbox', nonce });
    const anon = await batch(null, [{ method: 'GET', path: '/inbox', headers: bobHeaders }]).expect(200);
    expect(anon.body).toEqual([{ code: 401, headers: { 'content-type': TEXT }, body: b64(AUTH_REQUIRED) }]);

    // Signed by Alice, carrying Bob's headers: Alice's inbox, not Bob's.
    const asAlice = await batch(alice, [{ method: 'GET', path: '/inbox', headers: bobHeaders }]).expect(200);
    expect(asAlice.body).toEqual([{ code: 200, headers: { 'content-type': JSON_TYPE }, body: [dmToAlice] }]);

    // Had the subrequests authenticated, the nonce would now be spent (425).
    await request(t.server).get('/inbox').set(bobHeaders).expect(200, []);
  });

  it('ignores malformed inner X-SOGS-* headers that would be a 400 on their own', async () => {
    const res = await batch(alice, [{ method: 'GET', path: '/inbox', headers: { 'X-SOGS-Pubkey': 'nonsense' } }]).expect(200);
    expect(res.body).toEqual([{ code: 200, headers: { 'content-type': JSON_TYPE }, body: [dmToAlice] }]);
  });

  it('signs the whole batch body: a body changed after signing is 401 and nothing runs', async () => {
    const signedBody = JSON.stringify([{ method: 'GET', path: '/capabilities' }]);
    const sentBody = JSON.stringify([{ method: 'POST', path: `/inbox/${bob.blindedId}`, json: { message: b64('forged') } }]);
    const before = await inboxCount(bob);
    const headers = alice.headers({ method: 'POST', url: '/batch', body: Buffer.from(signedBody) });
    const res = await request(t.server).post('/batch').set(headers).set('content-type', JSON_TYPE).send(sentBody);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe(TEXT);
    expect(res.text).toBe('Invalid authentication: X-SOGS-Signature verification failed');
    expect(await inboxCount(bob)).toBe(before);

    // The same body, signed as sent, runs.
    await batch(alice, JSON.parse(sentBody)).expect(200);
    expect(await inboxCount(bob)).toBe(before + 1);
  });

  it('rejects an outer signature made over /sequence when the request goes to /batch', async () => {
    const body = Buffer.from(JSON.stringify([{ method: 'GET', path: '/capabilities' }]));
    const headers = alice.headers({ method: 'POST', url: '/sequence', body });
    const res = await request(t.server).post('/batch').set(headers).set('content-type', JSON_TYPE).send(body.toString());
    expect(res.status).toBe(401);
    expect(res.text).toBe('Invalid authentication: X-SOGS-Signature verification failed');
  });

  describe('the internal marker cannot be forged', () => {
    it('has no effect on an outside request', async () => {
      const res = await request(t.server).get('/inbox').set(INTERNAL_REQUEST_HEADER, randomBytes(16).toString('hex'));
      expect(res.status).toBe(401);
      expect(res.text).toBe(AUTH_REQUIRED);
    });

    it('does not replace the signature check of an outside request', async () => {
      const headers = { ...alice.headers({ method: 'GET', url: '/inbox' }), 'X-SOGS-Signature': randomBytes(64).toString('base64') };
      const res = await request(t.server).get('/inbox').set(headers).set(INTERNAL_REQUEST_HEADER, randomBytes(16).toString('hex'));
      expect(res.status).toBe(401);
      expect(res.text).toBe('Invalid authentication: X-SOGS-Signature verification failed');
    });

    it('is dropped from a batch subrequest: an anonymous batch cannot claim a live marker', async () => {
      // A marker that is live right now (as while another user's batch runs).
      const internal = t.app.get(InternalRequests);
      const aliceUser = await t.app.get(UsersRepository).findBySessionId(alice.blindedId);
      const live = internal.register(aliceUser!);
      try {
        const res = await batch(null, [{ method: 'GET', path: '/inbox', headers: { [INTERNAL_REQUEST_HEADER]: live } }]).expect(200);
        expect(res.body).toEqual([{ code: 401, headers: { 'content-type': TEXT }, body: b64(AUTH_REQUIRED) }]);
        // Sent from outside, the same live marker would work (which is why it must never leak).
        await request(t.server).get('/inbox').set(INTERNAL_REQUEST_HEADER, live).expect(200, [dmToAlice]);
      } finally {
        internal.release(live);
      }
      await request(t.server).get('/inbox').set(INTERNAL_REQUEST_HEADER, live).expect(401);
    });

    it('is dropped from a subrequest that authenticates itself (onion)', async () => {
      const internal = t.app.get(InternalRequests);
      const aliceUser = await t.app.get(UsersRepository).findBySessionId(alice.blindedId);
      const live = internal.register(aliceUser!);
      try {
        const res = await t.app
          .get(SubrequestDispatcher)
          .dispatch({ method: 'GET', path: '/inbox', headers: { 'X-Sogs-Internal-Request': live }, body: Buffer.alloc(0) }, 'authenticate');
        expect(res.status).toBe(401);
        expect(res.body.toString()).toBe(AUTH_REQUIRED);
      } finally {
        internal.release(live);
      }
    });
  });

  describe('nested batches', () => {
    it.each(['/batch', '/sequence'])('answers a subrequest to %s with its own 400, without running it', async (inner) => {
      const before = await inboxCount(bob);
      const nested = [{ method: 'POST', path: `/inbox/${bob.blindedId}`, json: { message: b64('nested') } }];
      const res = await batch(alice, [
        { method: 'POST', path: inner, json: nested },
        { method: 'GET', path: '/capabilities?required=sogs' },
      ]).expect(200);
      expect(res.body).toEqual([
        { code: 400, headers: { 'content-type': TEXT }, body: b64('Invalid request: batch requests cannot be nested') },
        { code: 200, headers: { 'content-type': JSON_TYPE }, body: { capabilities: ['blind', 'reactions', 'sogs'] } },
      ]);
      expect(await inboxCount(bob)).toBe(before);
    });

    it('lets /sequence stop at the nested 400', async () => {
      const res = await batch(alice, [{ method: 'POST', path: '/batch', json: [] }, { method: 'GET', path: '/capabilities' }], '/sequence').expect(200);
      expect(res.body).toEqual([{ code: 400, headers: { 'content-type': TEXT }, body: b64('Invalid request: batch requests cannot be nested') }]);
    });
  });
});
