import request from 'supertest';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

const TEXT = 'text/plain; charset=utf-8';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/**
 * Every subrequest is checked before any runs (§5): one bad element makes the whole call a 400,
 * and the valid subrequests before it (here a DM that would land in Bob's inbox) do not run.
 */
describe('/batch and /sequence validation', () => {
  let t: TestApp;
  let alice: SessionClient;
  let bob: SessionClient;
  let runsFirst: Record<string, unknown>;

  beforeAll(async () => {
    t = await createTestApp();
    alice = t.newClient();
    bob = t.newClient();
    for (const c of [alice, bob]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    runsFirst = { method: 'POST', path: `/inbox/${bob.blindedId}`, json: { message: b64('should not arrive') } };
  });
  afterAll(() => t.close());

  const bobsInbox = async () => (await signed(t.server, bob, 'GET', '/inbox').expect(200)).body.length;

  const invalid: Array<[string, unknown, string]> = [
    ['a subrequest that is not an object', ['GET /capabilities'], 'Invalid request: subrequest 1: expected an object'],
    ['a null subrequest', [null], 'Invalid request: subrequest 1: expected an object'],
    ['an unknown method', [{ method: 'PATCH', path: '/capabilities' }], 'Invalid request: subrequest 1: method must be GET, DELETE, POST or PUT'],
    ['a lower-case method', [{ method: 'get', path: '/capabilities' }], 'Invalid request: subrequest 1: method must be GET, DELETE, POST or PUT'],
    ['a missing method', [{ path: '/capabilities' }], 'Invalid request: subrequest 1: method must be GET, DELETE, POST or PUT'],
    ['a missing path', [{ method: 'GET' }], 'Invalid request: subrequest 1: path must be a string starting with /'],
    ['a path without a leading /', [{ method: 'GET', path: 'capabilities' }], 'Invalid request: subrequest 1: path must be a string starting with /'],
    ['a path that is not a string', [{ method: 'GET', path: ['/capabilities'] }], 'Invalid request: subrequest 1: path must be a string starting with /'],
    ['headers that are not an object', [{ method: 'GET', path: '/capabilities', headers: ['a'] }], 'Invalid request: subrequest 1: headers must be an object'],
    ['a header value that is not a string', [{ method: 'GET', path: '/capabilities', headers: { 'x-a': 1 } }], 'Invalid request: subrequest 1: header values must be strings'],
    ['both json and b64', [{ method: 'POST', path: '/capabilities', json: {}, b64: 'aGk=' }], 'Invalid request: subrequest 1: POST needs exactly one of json, b64, bytes'],
    ['all three body keys', [{ method: 'PUT', path: '/capabilities', json: 1, b64: 'aGk=', bytes: 'x' }], 'Invalid request: subrequest 1: PUT needs exactly one of json, b64, bytes'],
    ['a POST without a body', [{ method: 'POST', path: '/capabilities' }], 'Invalid request: subrequest 1: POST needs exactly one of json, b64, bytes'],
    ['a body on GET', [{ method: 'GET', path: '/capabilities', json: {} }], 'Invalid request: subrequest 1: GET must not have a body'],
    ['a body on DELETE', [{ method: 'DELETE', path: '/inbox', bytes: '' }], 'Invalid request: subrequest 1: DELETE must not have a body'],
    ['undecodable b64', [{ method: 'POST', path: '/capabilities', b64: 'not base64!' }], 'Invalid request: subrequest 1: b64 is not valid base64'],
    ['url-safe b64', [{ method: 'POST', path: '/capabilities', b64: 'a-_b' }], 'Invalid request: subrequest 1: b64 is not valid base64'],
    ['b64 that is not a string', [{ method: 'POST', path: '/capabilities', b64: 12 }], 'Invalid request: subrequest 1: b64 is not valid base64'],
    ['bytes that are not a string', [{ method: 'POST', path: '/capabilities', bytes: [1, 2] }], 'Invalid request: subrequest 1: bytes must be a string'],
  ];

  describe.each(['/batch', '/sequence'])('%s', (endpoint) => {
    it.each(invalid)('answers 400 for %s, and runs nothing before it', async (_name, bad, text) => {
      const before = await bobsInbox();
      const res = await signed(t.server, alice, 'POST', endpoint, { json: [runsFirst, ...(bad as unknown[])] });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe(TEXT);
      expect(res.text).toBe(text);
      expect(await bobsInbox()).toBe(before);
    });

    it.each([
      ['an object', { method: 'GET', path: '/capabilities' }],
      ['a string', '[]'],
      ['null', null],
    ])('answers 400 when the body is %s instead of an array', async (_name, body) => {
      const res = await signed(t.server, alice, 'POST', endpoint, { json: body });
      expect(res.status).toBe(400);
      expect(res.text).toBe('Invalid request: expected a JSON array of subrequests');
    });

    it('answers 400 for a body that is not JSON, and for none', async () => {
      const broken = await signed(t.server, alice, 'POST', endpoint, { body: Buffer.from('[{"method":'), contentType: 'application/json' });
      expect(broken.status).toBe(400);
      expect(broken.text).toBe('Invalid request: body is not valid JSON');
      const none = await signed(t.server, alice, 'POST', endpoint);
      expect(none.status).toBe(400);
      expect(none.text).toBe('Invalid request: expected a JSON body');
    });

    it('answers 400 for 101 subrequests and runs none of them', async () => {
      const before = await bobsInbox();
      const many = [runsFirst, ...Array.from({ length: 100 }, () => ({ method: 'GET', path: '/capabilities' }))];
      const res = await signed(t.server, alice, 'POST', endpoint, { json: many });
      expect(res.status).toBe(400);
      expect(res.text).toBe('Invalid request: at most 100 subrequests are allowed');
      expect(await bobsInbox()).toBe(before);
    });
  });

  it('runs the subrequest used above when the batch is valid (so "nothing ran" means something)', async () => {
    const before = await bobsInbox();
    const res = await signed(t.server, alice, 'POST', '/batch', { json: [runsFirst] }).expect(200);
    expect(res.body[0].code).toBe(201);
    expect(await bobsInbox()).toBe(before + 1);
  });

  it('runs 100 subrequests', async () => {
    const res = await signed(t.server, alice, 'POST', '/batch', { json: Array.from({ length: 100 }, () => ({ method: 'GET', path: '/capabilities' })) }).expect(200);
    expect(res.body).toHaveLength(100);
    expect(res.body[99]).toEqual({ code: 200, headers: { 'content-type': 'application/json' }, body: { capabilities: ['blind', 'reactions', 'sogs'] } });
  });

  it('accepts a JSON body whatever its content type (as clients send it)', async () => {
    const body = Buffer.from(JSON.stringify([{ method: 'GET', path: '/capabilities' }]));
    const res = await signed(t.server, alice, 'POST', '/batch', { body, contentType: 'text/plain' }).expect(200);
    expect(res.body).toHaveLength(1);
  });

  it('is POST only', async () => {
    await request(t.server).get('/batch').expect(404);
    await request(t.server).put('/sequence').send('[]').expect(404);
  });

  it('answers a 404 inside /batch as that subrequest’s result and runs the rest', async () => {
    const res = await signed(t.server, alice, 'POST', '/batch', {
      json: [
        { method: 'GET', path: '/no/such/endpoint' },
        { method: 'DELETE', path: '/capabilities' },
        { method: 'GET', path: '/capabilities' },
      ],
    }).expect(200);
    const notFound = { code: 404, headers: { 'content-type': TEXT }, body: b64('Not found') };
    expect(res.body).toEqual([notFound, notFound, { code: 200, headers: { 'content-type': 'application/json' }, body: { capabilities: ['blind', 'reactions', 'sogs'] } }]);
    expect(notFound.body).toBe('Tm90IGZvdW5k');
  });

  it('answers a 304 without content type with an empty base64 body, and /sequence stops at it', async () => {
    const subrequests = [
      { method: 'GET', path: '/inbox/since/999999' },
      { method: 'GET', path: '/capabilities' },
    ];
    const res = await signed(t.server, alice, 'POST', '/batch', { json: subrequests }).expect(200);
    expect(res.body[0]).toEqual({ code: 304, headers: {}, body: '' });
    expect(res.body).toHaveLength(2);
    const seq = await signed(t.server, alice, 'POST', '/sequence', { json: subrequests }).expect(200);
    expect(seq.body).toEqual([{ code: 304, headers: {}, body: '' }]);
  });
});
