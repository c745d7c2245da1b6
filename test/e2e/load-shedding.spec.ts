import request from 'supertest';
import type { FastifyInstance } from 'fastify';
import { parseSamples, valueOf } from '../support/prometheus-text';
import { createTestApp, TestApp } from '../support/test-app';

const TOKEN = 'shedding-test-token-0123456789';
const SHED_TEXT = 'Service unavailable: the server is overloaded; try again shortly';

/** Test-only: a request whose handler holds the event loop for `ms` milliseconds, as a runaway computation would. */
function blockingRoute(fastify: FastifyInstance): void {
  fastify.get<{ Querystring: { ms: string } }>('/test/block', (req, reply) => {
    const until = Date.now() + Number(req.query.ms);
    while (Date.now() < until) {
      // busy: nothing else in this process runs meanwhile
    }
    void reply.send('done');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Load shedding (issue #14): while the event loop lags past SOGS_SHED_LAG_MS, requests are answered
 * 503 with Retry-After at once; /healthz and /metrics still answer, /readyz says not ready; once
 * the loop keeps time again, requests are served again. The lag is real: a request's handler
 * holds the loop while the others arrive.
 */
describe('load shedding', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_SHED_LAG_MS: '100', SOGS_METRICS_TOKEN: TOKEN }, routes: blockingRoute });
  });
  afterAll(() => t.close());

  /** Requests /capabilities every 50 ms until one is served; how many were shed first (undefined: never served). */
  async function untilServed(server: TestApp['server']): Promise<number | undefined> {
    let shed = 0;
    for (let i = 0; i < 40; i++) {
      const res = await request(server).get('/capabilities');
      if (res.status === 200) return shed;
      expect(res.status).toBe(503);
      shed++;
      await sleep(50);
    }
    return undefined;
  }
  const scrape = async () => parseSamples((await request(t.server).get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(200)).text);
  const capabilities503 = { method: 'GET', route: '/capabilities', status: '503', source: 'client' };

  it('answers 503 with Retry-After while the loop lags, keeps /healthz and /metrics, and recovers', async () => {
    // Creating the test database (PGlite runs in this process) may have left the loop lagging.
    expect(await untilServed(t.server)).toBeDefined();
    const before = await scrape();
    const blocker = request(t.server).get('/test/block?ms=600').then((r) => r);
    // These are sent once the loop runs again, right after the blocking handler: they find it lagging.
    await sleep(20);
    const [caps, ready, live, scraped] = await Promise.all([
      request(t.server).get('/capabilities'),
      request(t.server).get('/readyz'),
      request(t.server).get('/healthz'),
      request(t.server).get('/metrics').set('authorization', `Bearer ${TOKEN}`),
    ]);
    expect((await blocker).status).toBe(200);

    expect(caps.status).toBe(503);
    expect(caps.headers['retry-after']).toBe('1');
    expect(caps.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(caps.text).toBe(SHED_TEXT);
    expect(ready.status).toBe(503);
    expect(ready.headers['retry-after']).toBe('1');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    expect(scraped.status).toBe(200);

    // The lag decays as the loop keeps time again: served within a few sampling periods.
    const shedAfter = await untilServed(t.server);
    expect(shedAfter).toBeDefined();
    expect(shedAfter).toBeLessThanOrEqual(3);
    await request(t.server).get('/readyz').expect(200);

    // Counted: every 503 seen above, and nothing else.
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('sogs_shed_requests_total')).toBe(1 + shedAfter! + 1);
    expect(delta('sogs_http_requests_total', capabilities503)).toBe(1 + shedAfter!);
    expect(delta('sogs_http_requests_total', { method: 'GET', route: '/readyz', status: '503', source: 'client' })).toBe(1);
  });

  it('sheds nothing with SOGS_SHED_LAG_MS=0', async () => {
    const off = await createTestApp({ env: { SOGS_SHED_LAG_MS: '0' }, routes: blockingRoute });
    try {
      expect(await untilServed(off.server)).toBe(0);
      const blocker = request(off.server).get('/test/block?ms=400').then((r) => r);
      await sleep(20);
      await request(off.server).get('/capabilities').expect(200);
      expect((await blocker).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});
