import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * The batch and sequence scenarios of the reference's general route tests (§5, §15.6): the same
 * subrequests, test-only endpoints with the same behaviour, and the exact results it expects.
 */

const CAPABILITIES = ['blind', 'reactions', 'sogs'];
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const result = (code: number, body: unknown, ct = 'application/json') => ({ code, headers: { 'content-type': ct }, body });

/** The reference's four test endpoints: echo a header and a query arg, a JSON 403, raw octets, echo a body. */
function testRoutes(fastify: FastifyInstance): void {
  fastify.get('/test_batch_1', async (req) => {
    const query = req.query as Record<string, string | undefined>;
    return { x: req.headers['x-header-123'] ?? 'def', y: query.arg ?? 'N/A' };
  });
  fastify.get('/test_batch_2', async (_req, reply) => reply.status(403).send({ z: 3 }));
  fastify.get('/test_batch_3', async (_req, reply) => reply.type('application/octet-stream').send(Buffer.from('abcdef')));
  fastify.post('/test_batch_4', async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if ((req.headers['content-type'] ?? '').startsWith('application/json')) return { echo: JSON.parse(body.toString('utf8')) };
    return reply.type('text/plain; charset=utf-8').send(Buffer.concat([Buffer.from('echo: '), body]));
  });
}

/** The reference's first data set: failures in the middle (412 at index 1, 403 at index 2). */
const data1 = () => ({
  reqs: [
    { method: 'GET', path: '/capabilities' },
    { method: 'GET', path: '/capabilities?required=magic' },
    { method: 'GET', path: '/test_batch_2' },
    { method: 'GET', path: '/test_batch_1', headers: { 'x-header-123': 'zzz' } },
    { method: 'GET', path: '/test_batch_1' },
    { method: 'GET', path: '/test_batch_3' },
    { method: 'POST', path: '/test_batch_4', b64: 'aGVsbG8gd29ybGQ=' },
    { method: 'POST', path: '/test_batch_4', bytes: 'asdf\x00‽zzz' },
    { method: 'POST', path: '/test_batch_4', json: [1, 2, 3] },
    { method: 'GET', path: '/test_batch_1?arg=456' },
  ],
  expected: [
    result(200, { capabilities: CAPABILITIES }),
    result(412, { capabilities: CAPABILITIES, missing: ['magic'] }),
    result(403, { z: 3 }),
    result(200, { x: 'zzz', y: 'N/A' }),
    result(200, { x: 'def', y: 'N/A' }),
    result(200, 'YWJjZGVm', 'application/octet-stream'),
    result(200, b64('echo: hello world'), 'text/plain; charset=utf-8'),
    result(200, b64('echo: asdf\x00‽zzz'), 'text/plain; charset=utf-8'),
    result(200, { echo: [1, 2, 3] }),
    result(200, { x: 'def', y: '456' }),
  ],
});

/** The second data set: the only failure (403) at index 6. */
const data2 = () => ({
  reqs: [
    { method: 'GET', path: '/capabilities' },
    { method: 'GET', path: '/capabilities?required=sogs' },
    { method: 'GET', path: '/test_batch_1', headers: { 'x-header-123': 'zzz' } },
    { method: 'GET', path: '/test_batch_1' },
    { method: 'GET', path: '/test_batch_3' },
    { method: 'POST', path: '/test_batch_4', b64: 'aGVsbG8gd29ybGQ=' },
    { method: 'GET', path: '/test_batch_2' },
    { method: 'POST', path: '/test_batch_4', bytes: 'asdf\x00‽zzz' },
    { method: 'POST', path: '/test_batch_4', json: [1, 2, 3] },
    { method: 'GET', path: '/test_batch_1?arg=456' },
  ],
  expected: [
    result(200, { capabilities: CAPABILITIES }),
    result(200, { capabilities: CAPABILITIES }),
    result(200, { x: 'zzz', y: 'N/A' }),
    result(200, { x: 'def', y: 'N/A' }),
    result(200, 'YWJjZGVm', 'application/octet-stream'),
    result(200, b64('echo: hello world'), 'text/plain; charset=utf-8'),
    result(403, { z: 3 }),
    result(200, b64('echo: asdf\x00‽zzz'), 'text/plain; charset=utf-8'),
    result(200, { echo: [1, 2, 3] }),
    result(200, { x: 'def', y: '456' }),
  ],
});

/** The third: the second set without its failures. */
const data3 = () => {
  const { reqs, expected } = data2();
  const ok = (i: number) => expected[i].code >= 200 && expected[i].code < 300;
  return { reqs: reqs.filter((_, i) => ok(i)), expected: expected.filter((_, i) => ok(i)) };
};

/** What /sequence returns: everything up to and including the first non-2xx. */
function untilBadCode<T extends { code: number }>(expected: T[]): T[] {
  const end = expected.findIndex((e) => e.code < 200 || e.code >= 300);
  return end < 0 ? expected : expected.slice(0, end + 1);
}

describe('/batch and /sequence: the reference scenarios', () => {
  let t: TestApp;
  let counter = 0;
  beforeAll(async () => {
    t = await createTestApp({
      routes: (fastify) => {
        testRoutes(fastify);
        fastify.post('/test_counter', async () => ({ count: ++counter }));
      },
    });
  });
  afterAll(() => t.close());

  const post = (endpoint: string, body: unknown) =>
    request(t.server).post(endpoint).set('content-type', 'application/json').send(JSON.stringify(body));

  describe.each([
    ['failures at 1 and 2', data1],
    ['a failure at 6', data2],
    ['no failures', data3],
  ])('data set with %s', (_name, data) => {
    it('/batch runs every subrequest and answers one result each, in order', async () => {
      const { reqs, expected } = data();
      const res = await post('/batch', reqs).expect(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.body).toEqual(expected);
      expect(res.body).toHaveLength(reqs.length);
    });

    it('/sequence stops after the first non-2xx, which is the last result', async () => {
      const { reqs, expected } = data();
      const res = await post('/sequence', reqs).expect(200);
      expect(res.body).toEqual(untilBadCode(expected));
    });
  });

  it('/sequence stops at the 412 of the first set: exactly two results', async () => {
    const res = await post('/sequence', data1().reqs).expect(200);
    expect(res.body.map((r: { code: number }) => r.code)).toEqual([200, 412]);
  });

  it('/sequence really stops: a later subrequest with a side effect does not run', async () => {
    const reqs = [
      { method: 'GET', path: '/test_batch_2' },
      { method: 'POST', path: '/test_counter', json: {} },
    ];
    const before = counter;
    const res = await post('/sequence', reqs).expect(200);
    expect(res.body).toEqual([result(403, { z: 3 })]);
    expect(counter).toBe(before);
    // /batch with the same list runs both.
    const all = await post('/batch', reqs).expect(200);
    expect(all.body).toEqual([result(403, { z: 3 }), result(200, { count: before + 1 })]);
    expect(counter).toBe(before + 1);
  });

  it('a Content-Type in headers overrides the default of json, b64 and bytes', async () => {
    const res = await post('/batch', [
      { method: 'POST', path: '/test_batch_4', json: [1, 2], headers: { 'Content-Type': 'text/plain' } },
      { method: 'POST', path: '/test_batch_4', b64: b64('{"a":1}'), headers: { 'content-type': 'application/json' } },
      { method: 'POST', path: '/test_batch_4', bytes: '[true]', headers: { 'CONTENT-TYPE': 'application/json; charset=utf-8' } },
    ]).expect(200);
    expect(res.body).toEqual([
      result(200, b64('echo: [1,2]'), 'text/plain; charset=utf-8'),
      result(200, { echo: { a: 1 } }),
      result(200, { echo: [true] }),
    ]);
  });

  it('re-serialises json compactly, whatever the spacing of the outer body', async () => {
    const raw = '[{"method":"POST","path":"/test_batch_4","json":{ "a" : [ 1 , 2 ] },"headers":{"content-type":"text/plain"}}]';
    const res = await request(t.server).post('/batch').set('content-type', 'application/json').send(raw).expect(200);
    expect(res.body).toEqual([result(200, b64('echo: {"a":[1,2]}'), 'text/plain; charset=utf-8')]);
  });

  it('accepts unpadded b64 and an empty bytes string (an empty body)', async () => {
    const res = await post('/batch', [
      { method: 'POST', path: '/test_batch_4', b64: 'aGVsbG8gd29ybGQ' },
      { method: 'POST', path: '/test_batch_4', bytes: '' },
    ]).expect(200);
    expect(res.body).toEqual([
      result(200, b64('echo: hello world'), 'text/plain; charset=utf-8'),
      result(200, b64('echo: '), 'text/plain; charset=utf-8'),
    ]);
  });

  it('answers an empty list with an empty list', async () => {
    await post('/batch', []).expect(200, []);
    await post('/sequence', []).expect(200, []);
  });
});
