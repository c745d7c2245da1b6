import type { FastifyInstance } from 'fastify';
import { INTERNAL_REQUEST_HEADER, InternalRequests } from '../../src/auth/internal-requests';
import { Subrequest } from '../../src/dispatch/subrequest';
import { SubrequestDispatcher } from '../../src/dispatch/subrequest-dispatcher';
import { UsersRepository } from '../../src/users/users.repository';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

const TEXT = 'text/plain; charset=utf-8';

/** Test-only endpoints that show what a subrequest looked like when it arrived, and odd responses. */
function testRoutes(fastify: FastifyInstance): void {
  fastify.post('/test_echo', async (req) => ({
    headers: req.headers,
    body: Buffer.isBuffer(req.body) ? req.body.toString('base64') : null,
  }));
  fastify.get('/test_headers', async (_req, reply) =>
    reply.header('X-Custom', 'kept').header('Date', 'Thu, 01 Jan 2026 00:00:00 GMT').type('application/json').send('{"ok":true}'),
  );
  fastify.get('/test_bad_json', async (_req, reply) => reply.type('application/json').send('not json'));
  fastify.get('/test_json_utf16', async (_req, reply) => reply.type('application/json;charset=UTF-8').send('[1]'));
  fastify.get('/test_jsonish', async (_req, reply) => reply.type('application/jsonx').send('[1]'));
}

/**
 * The subrequest dispatcher shared by batches and onion requests: same router, same guard, a
 * marker for "already authenticated" that only it can set, and onion-style self-authentication.
 */
describe('SubrequestDispatcher', () => {
  let t: TestApp;
  let alice: SessionClient;
  let dispatcher: SubrequestDispatcher;
  const req = (r: Partial<Subrequest> & { path: string }): Subrequest => ({ method: 'GET', headers: {}, body: Buffer.alloc(0), ...r });

  beforeAll(async () => {
    t = await createTestApp({ routes: testRoutes });
    alice = t.newClient();
    await signed(t.server, alice, 'GET', '/capabilities').expect(200);
    dispatcher = t.app.get(SubrequestDispatcher);
  });
  afterAll(() => t.close());

  const aliceUser = async () => (await t.app.get(UsersRepository).findBySessionId(alice.blindedId))!;

  describe("'authenticate': the inner X-SOGS-* headers authenticate (onion requests)", () => {
    it('runs as the signer', async () => {
      const res = await dispatcher.dispatch(req({ path: '/inbox', headers: alice.headers({ method: 'GET', url: '/inbox' }) }), 'authenticate');
      expect(res).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('[]'), contentType: 'application/json' });
    });

    it('runs anonymously without headers, and rejects a bad signature with the usual 401', async () => {
      const anon = await dispatcher.dispatch(req({ path: '/inbox' }), 'authenticate');
      expect([anon.status, anon.body.toString()]).toEqual([401, 'X-SOGS-* request authentication required']);
      const headers = alice.headers({ method: 'GET', url: '/outbox' });
      const wrong = await dispatcher.dispatch(req({ path: '/inbox', headers }), 'authenticate');
      expect([wrong.status, wrong.contentType, wrong.body.toString()]).toEqual([401, TEXT, 'Invalid authentication: X-SOGS-Signature verification failed']);
    });

    it('verifies the hash of the subrequest body; an unlabelled JSON body is still read as JSON', async () => {
      const path = `/inbox/${alice.blindedId}`;
      const body = Buffer.from('{"message":"aGk="}');
      const ok = await dispatcher.dispatch(req({ method: 'POST', path, headers: alice.headers({ method: 'POST', url: path, body }), body }), 'authenticate');
      expect(ok.status).toBe(201);
      const tampered = await dispatcher.dispatch(
        req({ method: 'POST', path, headers: alice.headers({ method: 'POST', url: path, body }), body: Buffer.from('{"message":"aGo="}') }),
        'authenticate',
      );
      expect([tampered.status, tampered.body.toString()]).toEqual([401, 'Invalid authentication: X-SOGS-Signature verification failed']);
    });

    it.each([
      ['raw UTF-8', '/inbox/since/🍍'],
      ['percent-escaped', '/inbox/since/%F0%9F%8D%8D'],
      ['lower-case escapes', '/inbox/since/%f0%9f%8d%8d'],
    ])('verifies a %s path against the decoded path, as for a direct request', async (_name, path) => {
      // The 404 comes from the handler (not an integer), after authentication passed.
      const res = await dispatcher.dispatch(req({ path, headers: alice.headers({ method: 'GET', url: path }) }), 'authenticate');
      expect([res.status, res.body.toString()]).toEqual([404, 'Not found']);
      const other = await dispatcher.dispatch(req({ path, headers: alice.headers({ method: 'GET', url: '/inbox/since/x' }) }), 'authenticate');
      expect(other.status).toBe(401);
    });

    it('keeps a # in the path as part of the path, not a fragment', async () => {
      const path = '/inbox/since/#1';
      const res = await dispatcher.dispatch(req({ path, headers: alice.headers({ method: 'GET', url: path }) }), 'authenticate');
      expect(res.status).toBe(404);
    });

    it('passes an ordinary query string unchanged to the signature check and the handler', async () => {
      const path = '/capabilities?required=sogs,blind,x%2Cy';
      const res = await dispatcher.dispatch(req({ path, headers: alice.headers({ method: 'GET', url: path }) }), 'authenticate');
      // Signed as sent (with the escape), read by the handler decoded.
      expect(res.status).toBe(412);
      expect(JSON.parse(res.body.toString())).toEqual({ capabilities: ['blind', 'reactions', 'sogs'], missing: ['x', 'y'] });
    });

    it('keeps inner X-SOGS-* headers and drops a marker sent by the caller', async () => {
      const live = t.app.get(InternalRequests).register(await aliceUser());
      try {
        const res = await dispatcher.dispatch(req({ method: 'POST', path: '/test_echo', headers: { 'X-SOGS-Nonce': 'n', [INTERNAL_REQUEST_HEADER]: live }, body: Buffer.from('x') }), 'authenticate');
        const seen = JSON.parse(res.body.toString()).headers;
        expect(seen['x-sogs-nonce']).toBe('n');
        expect(seen[INTERNAL_REQUEST_HEADER]).toBeUndefined();
      } finally {
        t.app.get(InternalRequests).release(live);
      }
    });
  });

  describe('{ user }: runs as the given user (batches)', () => {
    it('runs as that user without re-authenticating, whatever the inner headers', async () => {
      const res = await dispatcher.dispatch(req({ path: '/inbox', headers: { 'X-SOGS-Pubkey': 'garbage' } }), { user: await aliceUser() });
      expect(res.status).toBe(200);
      expect(Array.isArray(JSON.parse(res.body.toString()))).toBe(true);
      const anon = await dispatcher.dispatch(req({ path: '/inbox', headers: alice.headers({ method: 'GET', url: '/inbox' }) }), { user: null });
      expect(anon.status).toBe(401);
    });

    it('strips inner X-SOGS-* headers and a caller marker, marks the request, lower-cases names', async () => {
      const res = await dispatcher.dispatch(
        req({ method: 'POST', path: '/test_echo', headers: { 'X-SOGS-Pubkey': 'p', 'x-sogs-signature': 's', 'X-Other': 'kept', [INTERNAL_REQUEST_HEADER]: 'forged' }, body: Buffer.from('x') }),
        { user: null },
      );
      const seen = JSON.parse(res.body.toString()).headers;
      expect(seen['x-sogs-pubkey']).toBeUndefined();
      expect(seen['x-sogs-signature']).toBeUndefined();
      expect(seen['x-other']).toBe('kept');
      expect(seen[INTERNAL_REQUEST_HEADER]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); // a random v4 UUID
      expect(seen[INTERNAL_REQUEST_HEADER]).not.toBe('forged');
    });

    it('releases the marker after the subrequest', async () => {
      const internal = t.app.get(InternalRequests);
      const res = await dispatcher.dispatch(req({ method: 'POST', path: '/test_echo', body: Buffer.from('x') }), { user: await aliceUser() });
      const marker = JSON.parse(res.body.toString()).headers[INTERNAL_REQUEST_HEADER];
      expect(internal.userFor(marker)).toBeUndefined();
    });

    it('answers 500 when the injection itself fails, and still releases the marker', async () => {
      const fastify: FastifyInstance = t.app.getHttpAdapter().getInstance();
      const internal = t.app.get(InternalRequests);
      const register = jest.spyOn(internal, 'register');
      const release = jest.spyOn(internal, 'release');
      const inject = jest.spyOn(fastify, 'inject').mockImplementationOnce((() => Promise.reject(new Error('boom'))) as never);
      try {
        const res = await dispatcher.dispatch(req({ path: '/capabilities' }), { user: await aliceUser() });
        expect(res).toEqual({ status: 500, headers: { 'content-type': TEXT }, body: Buffer.from('Internal server error'), contentType: TEXT });
        const marker = register.mock.results[0].value as string;
        expect(release).toHaveBeenCalledWith(marker);
        expect(internal.userFor(marker)).toBeUndefined();
      } finally {
        inject.mockRestore();
        register.mockRestore();
        release.mockRestore();
      }
    });
  });

  describe('request and response framing', () => {
    it('labels an unlabelled body application/octet-stream and sends the exact bytes', async () => {
      const body = Buffer.from([0, 1, 2, 255]);
      const res = await dispatcher.dispatch(req({ method: 'POST', path: '/test_echo', body }), { user: null });
      const seen = JSON.parse(res.body.toString());
      expect(seen.headers['content-type']).toBe('application/octet-stream');
      expect(seen.headers['content-length']).toBe('4');
      expect(seen.body).toBe(body.toString('base64'));
    });

    it('keeps a given content type, and ignores an inner content-length', async () => {
      const res = await dispatcher.dispatch(
        req({ method: 'POST', path: '/test_echo', headers: { 'Content-Type': 'text/plain', 'Content-Length': '999' }, body: Buffer.from('hello') }),
        { user: null },
      );
      const seen = JSON.parse(res.body.toString());
      expect(seen.headers['content-type']).toBe('text/plain');
      expect(seen.headers['content-length']).toBe('5');
      expect(seen.body).toBe(Buffer.from('hello').toString('base64'));
    });

    it("returns the endpoint's own headers, lower-case, without content-length or Node's automatic date", async () => {
      const res = await dispatcher.dispatch(req({ path: '/test_headers' }), { user: null });
      expect(res.headers).toEqual({ 'content-type': 'application/json', 'x-custom': 'kept', date: 'Thu, 01 Jan 2026 00:00:00 GMT' });
      const caps = await dispatcher.dispatch(req({ path: '/capabilities' }), { user: null });
      expect(caps.headers).toEqual({ 'content-type': 'application/json' });
    });

    it.each([
      ['/test_json_utf16', 'application/json'],
      ['/capabilities', 'application/json'],
      ['/test_jsonish', 'application/jsonx; charset=utf-8'],
      ['/nowhere', TEXT],
    ])('reports the content type of %s as %s', async (path, type) => {
      const res = await dispatcher.dispatch(req({ path }), { user: null });
      expect(res.contentType).toBe(type);
      expect(res.headers['content-type']).toBe(type);
    });

    it.each([
      ['dot segments', '/room/x/../../capabilities'],
      ['escaped dot segments', '/room/x/%2e%2E/%2E./capabilities'],
      ['a single dot segment', '/./capabilities'],
    ])('answers %s with 404 rather than resolving them into another endpoint', async (_name, path) => {
      const res = await dispatcher.dispatch(req({ path }), { user: null });
      expect([res.status, res.contentType, res.body.toString()]).toEqual([404, TEXT, 'Not found']);
    });

    it('routes a path with spaces, quotes and backslashes without a 5xx', async () => {
      for (const path of ['/inbox/since/a b', '/inbox/since/"x"', '/inbox/since/a\\b', '/inbox/since/\t\n', '//capabilities', '/%', '/%zz']) {
        const res = await dispatcher.dispatch(req({ path }), { user: null });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
    });

    it('hands a JSON-labelled body that is not JSON to a batch as base64', async () => {
      const res = await signed(t.server, null, 'POST', '/batch', { json: [{ method: 'GET', path: '/test_bad_json' }, { method: 'GET', path: '/test_json_utf16' }] }).expect(200);
      expect(res.body).toEqual([
        { code: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('not json').toString('base64') },
        { code: 200, headers: { 'content-type': 'application/json' }, body: [1] },
      ]);
    });
  });
});
