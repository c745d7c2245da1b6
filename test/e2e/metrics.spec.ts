import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { CleanupService } from '../../src/jobs/cleanup.service';
import { Metrics } from '../../src/metrics/metrics';
import { MetricsListener, startMetricsListener } from '../../src/metrics/metrics-listener';
import { ModerationService } from '../../src/moderation/moderation.service';
import { RoomsService } from '../../src/rooms/rooms.service';
import { UsersRepository } from '../../src/users/users.repository';
import { binaryBody } from '../support/binary-body';
import { OnionClient } from '../support/onion-client';
import { hasMetric, parseSamples, Sample, valueOf } from '../support/prometheus-text';
import { SessionClient, signed } from '../support/session-client';
import { createTestApp, TestApp } from '../support/test-app';

const TOKEN = 'metrics-test-token-0123456789abcdef';
const SECRET_TEXT = 'a very private message: the cake is a lie 4711';

/**
 * Prometheus metrics (issue #14) on the real app: traffic of every kind moves the series by exactly
 * what was sent, the main port's /metrics needs the bearer token (and does not exist without one),
 * the separate listener serves the same series, and nothing in a scrape identifies a user or
 * carries what they wrote.
 */
describe('metrics', () => {
  let t: TestApp;
  let onion: OnionClient;
  let alice: SessionClient, bob: SessionClient, admin: SessionClient;

  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_METRICS_TOKEN: TOKEN } });
    onion = new OnionClient(t.serverKey.publicKey);
    [alice, bob, admin] = [t.newClient(), t.newClient(), t.newClient()];
    for (const c of [alice, bob, admin]) await signed(t.server, c, 'GET', '/capabilities').expect(200);
    const room = await t.app.get(RoomsService).create({ token: 'lobby', name: 'Lobby' });
    const system = (await t.app.get(UsersRepository).findById(0))!;
    await t.app.get(ModerationService).setModerator(system, admin.blindedId, { rooms: [room] }, { admin: true });
  });
  afterAll(() => t.close());

  const scrapeText = async (): Promise<string> => {
    const res = await request(t.server).get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    return res.text;
  };
  const scrape = async (): Promise<Sample[]> => parseSamples(await scrapeText());
  const http_ = (method: string, route: string, status: number, source = 'client') => ({ method, route, status: String(status), source });

  async function v4(req: ReturnType<OnionClient['v4']>) {
    const res = await request(t.server).post('/oxen/v4/lsrpc').set('content-type', 'application/octet-stream').send(req.body).buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    return req.decode(res.body as Buffer);
  }

  it('counts requests, onion requests, auth failures, posts, deletions, uploads, bans, polls and cleanups exactly', async () => {
    const before = await scrape();
    const delta = (after: Sample[], name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);

    // Anonymous and signed requests; polls.
    for (let i = 0; i < 3; i++) await request(t.server).get('/room/lobby').expect(200);
    for (let i = 0; i < 2; i++) await signed(t.server, alice, 'GET', '/room/lobby/messages/since/0').expect(200);
    await request(t.server).get(`/no/such/path/${alice.blindedId}`).expect(404);

    // A post, then its deletion by its author; an upload.
    const data = Buffer.from(SECRET_TEXT).toString('base64');
    const posted = await signed(t.server, alice, 'POST', '/room/lobby/message', { json: { data, signature: randomBytes(64).toString('base64') } }).expect(201);
    await signed(t.server, alice, 'DELETE', `/room/lobby/message/${posted.body.id}`).expect(200);
    await signed(t.server, alice, 'POST', '/room/lobby/file', { body: randomBytes(1234) }).expect(201);

    // A ban by a room admin.
    await signed(t.server, admin, 'POST', `/user/${bob.blindedId}/ban`, { json: { rooms: ['lobby'] } }).expect(200);

    // Auth failures: a bad signature, a reused nonce, a clock too far off, no auth where it is needed.
    const nonce = randomBytes(16);
    const headers = alice.headers({ method: 'GET', url: '/capabilities', nonce });
    await request(t.server).get('/capabilities').set({ ...headers, 'X-SOGS-Signature': randomBytes(64).toString('base64') }).expect(401);
    await request(t.server).get('/capabilities').set(headers).expect(425);
    await signed(t.server, alice, 'GET', '/capabilities', { timestamp: String(Math.floor(t.clock.now()) - 2 * 86400) }).expect(425);
    await request(t.server).post('/room/lobby/message').send({ data, signature: randomBytes(64).toString('base64') }).expect(401);

    // Onion requests: v4 aes-gcm, a v4 xchacha20 poll batch, v3, and an envelope that cannot be opened.
    expect((await v4(onion.v4({ method: 'GET', endpoint: '/capabilities' }))).code).toBe(200);
    const batch = Buffer.from(
      JSON.stringify([
        { method: 'GET', path: '/room/lobby/pollInfo/0' },
        { method: 'GET', path: '/room/lobby/messages/since/0?t=r' },
        { method: 'GET', path: '/inbox/since/0' },
      ]),
    );
    const polled = await v4(onion.v4({ method: 'POST', endpoint: '/batch', headers: { 'content-type': 'application/json' }, body: batch }, { encType: 'xchacha20', signAs: alice }));
    expect(polled.code).toBe(200);
    const v3 = onion.v3({ method: 'GET', endpoint: '/room/lobby' });
    v3.decode((await request(t.server).post('/loki/v3/lsrpc').send(v3.body).expect(200)).text);
    await request(t.server).post('/oxen/v4/lsrpc').set('content-type', 'application/octet-stream').send(randomBytes(200)).expect(400);

    // A cleanup round.
    expect(await t.app.get(CleanupService).runOnce()).toBe(true);

    const after = await scrape();
    // Each series moved by exactly what was sent: [name, labels, increase].
    const expected: Array<[string, Record<string, string>, number]> = [
      ['sogs_http_requests_total', http_('GET', '/room/:token', 200), 3],
      ['sogs_http_requests_total', http_('GET', '/room/:token/messages/since/:seqno', 200), 2],
      ['sogs_http_requests_total', http_('GET', '(unmatched)', 404), 1],
      ['sogs_http_requests_total', http_('POST', '/room/:token/message', 201), 1],
      ['sogs_http_requests_total', http_('POST', '/room/:token/message', 401), 1],
      ['sogs_http_requests_total', http_('DELETE', '/room/:token/message/:msg_id', 200), 1],
      ['sogs_http_requests_total', http_('POST', '/room/:token/file', 201), 1],
      ['sogs_http_requests_total', http_('GET', '/capabilities', 401), 1],
      ['sogs_http_requests_total', http_('GET', '/capabilities', 425), 2],
      ['sogs_http_requests_total', http_('POST', '/oxen/v4/lsrpc', 200), 2],
      ['sogs_http_requests_total', http_('POST', '/oxen/v4/lsrpc', 400), 1],
      ['sogs_http_requests_total', http_('POST', '/loki/v3/lsrpc', 200), 1],
      // The onion requests' inner requests and the batch's subrequests are counted apart from clients'.
      ['sogs_http_requests_total', http_('GET', '/capabilities', 200, 'onion'), 1],
      ['sogs_http_requests_total', http_('GET', '/room/:token', 200, 'onion'), 1],
      ['sogs_http_requests_total', http_('POST', '/batch', 200, 'onion'), 1],
      ['sogs_http_requests_total', http_('GET', '/room/:token/pollInfo/:info_updated', 200, 'batch'), 1],
      ['sogs_http_requests_total', http_('GET', '/room/:token/messages/since/:seqno', 200, 'batch'), 1],
      ['sogs_http_requests_total', http_('GET', '/inbox/since/:id', 304, 'batch'), 1],
      ['sogs_onion_requests_total', { version: 'v4', cipher: 'aes-gcm', outcome: 'ok' }, 1],
      ['sogs_onion_requests_total', { version: 'v4', cipher: 'xchacha20', outcome: 'ok' }, 1],
      ['sogs_onion_requests_total', { version: 'v3', cipher: 'aes-gcm', outcome: 'ok' }, 1],
      ['sogs_onion_requests_total', { version: 'v4', cipher: 'unknown', outcome: 'rejected' }, 1],
      ['sogs_auth_failures_total', { reason: 'signature' }, 1],
      ['sogs_auth_failures_total', { reason: 'nonce_reused' }, 1],
      ['sogs_auth_failures_total', { reason: 'clock' }, 1],
      ['sogs_auth_failures_total', { reason: 'required' }, 1],
      ['sogs_posts_total', { filtered: 'false' }, 1],
      ['sogs_message_deletions_total', { by: 'author' }, 1],
      ['sogs_uploads_total', {}, 1],
      ['sogs_upload_bytes_total', {}, 1234],
      ['sogs_bans_total', { scope: 'room' }, 1],
    ];
    expect(expected.map(([name, labels]) => [name, labels, delta(after, name, labels)])).toEqual(expected);

    // Polls: the two direct since requests and the onion-wrapped batch (its subrequests not again).
    expect(delta(after, 'sogs_poll_duration_seconds_count')).toBe(3);
    expect(delta(after, 'sogs_poll_duration_seconds_bucket', { le: '+Inf' })).toBe(3);
    expect(delta(after, 'sogs_poll_duration_seconds_sum')).toBeGreaterThan(0);

    expect(delta(after, 'sogs_cleanup_rounds_total', { outcome: 'ran' })).toBe(1);
    expect(delta(after, 'sogs_cleanup_duration_seconds_count')).toBe(1);
    expect(delta(after, 'sogs_db_query_duration_seconds_count')).toBeGreaterThan(20);
  });

  it('reports the database pool, the event loop and the process', async () => {
    const s = await scrape();
    expect(valueOf(s, 'sogs_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(valueOf(s, 'sogs_db_pool_idle_connections')).toBeLessThanOrEqual(valueOf(s, 'sogs_db_pool_connections'));
    expect(valueOf(s, 'sogs_db_pool_waiting_clients')).toBe(0);
    expect(valueOf(s, 'sogs_db_pool_max_connections')).toBeGreaterThanOrEqual(1);
    expect(valueOf(s, 'sogs_event_loop_lag_seconds')).toBeGreaterThanOrEqual(0);
    for (const name of ['sogs_nodejs_eventloop_lag_seconds', 'sogs_nodejs_eventloop_lag_p99_seconds', 'sogs_process_resident_memory_bytes', 'sogs_nodejs_heap_size_used_bytes', 'sogs_process_cpu_seconds_total']) {
      expect(hasMetric(s, name)).toBe(true);
    }
    expect(valueOf(s, 'sogs_process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
  });

  it('never shows a Session ID, the room token or what was written', async () => {
    const text = await scrapeText();
    for (const c of [alice, bob, admin]) {
      expect(text).not.toContain(c.blindedId.slice(2));
      expect(text).not.toContain(c.sessionId.slice(2));
    }
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    expect(text).not.toContain('lobby');
    expect(text).not.toContain(SECRET_TEXT);
    expect(text).not.toContain(Buffer.from(SECRET_TEXT).toString('base64').slice(0, 20));
    expect(text).not.toContain('/no/such/path');
    expect(text).not.toContain(TOKEN);
    // Every label value is one of a small set: route patterns, methods, statuses, fixed words.
    for (const s of parseSamples(text)) {
      for (const [k, v] of Object.entries(s.labels)) {
        if (k === 'route') expect(v).toMatch(/^(\/[a-zA-Z0-9_:./-]*|\(unmatched\))$/);
        else if (['version', 'nodejs_version'].includes(k)) continue;
        else expect(v).toMatch(/^[a-zA-Z0-9_.+-]{1,40}$/);
      }
    }
  });

  it('answers /metrics on the main port only with the bearer token', async () => {
    const res = await request(t.server).get('/metrics').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    await request(t.server).get('/metrics').set('authorization', `Bearer ${TOKEN}x`).expect(401);
    await request(t.server).get('/metrics').set('authorization', `Bearer ${TOKEN.slice(0, -1)}`).expect(401);
    await request(t.server).get('/metrics').set('authorization', TOKEN).expect(401);
    await request(t.server).get('/metrics').set('authorization', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`).expect(401);
    const ok = await request(t.server).get('/metrics').set('authorization', `bearer ${TOKEN}`).expect(200);
    expect(ok.text).toContain('# TYPE sogs_http_requests_total counter');
  });

  it('has no /metrics on the main port without a token: 404 like any unknown path', async () => {
    const plain = await createTestApp();
    try {
      const res = await request(plain.server).get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(404);
      const unknown = await request(plain.server).get('/metricz').expect(404);
      expect(res.text).toBe(unknown.text);
      expect(res.headers['content-type']).toBe(unknown.headers['content-type']);
    } finally {
      await plain.close();
    }
  });

  describe('the separate listener (SOGS_METRICS_LISTEN), as a single process serves it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-metrics-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    const serve = (token: string, address: Parameters<typeof startMetricsListener>[0]) => {
      const metrics = t.app.get(Metrics);
      return startMetricsListener(address, { scrape: () => metrics.scrape(), contentType: metrics.contentType, token });
    };
    const get = (target: { port: number } | { socketPath: string }, urlPath: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; text: string; type?: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', ...target, path: urlPath, headers, agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode!, text, type: res.headers['content-type'] }));
        });
        req.on('error', reject).end();
      });

    it('serves the same series on a TCP port, and only /metrics', async () => {
      const listener: MetricsListener = await serve('', { host: '127.0.0.1', port: 0 });
      try {
        const port = Number(/:(\d+)\/metrics$/.exec(listener.description)![1]);
        const res = await get({ port }, '/metrics');
        expect(res.status).toBe(200);
        expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
        expect(valueOf(parseSamples(res.text), 'sogs_http_requests_total', http_('GET', '/room/:token', 200))).toBe(3);
        expect((await get({ port }, '/')).status).toBe(404);
        expect((await get({ port }, '/room/lobby')).status).toBe(404);
      } finally {
        await listener.close();
      }
    });

    it('serves on a unix socket, asking for the token when one is set', async () => {
      const socketPath = path.join(dir, 'metrics.sock');
      const listener = await serve(TOKEN, { socket: socketPath });
      try {
        expect(listener.description).toBe(`unix:${socketPath} (GET /metrics)`);
        expect((await get({ socketPath }, '/metrics')).status).toBe(401);
        const res = await get({ socketPath }, '/metrics', { authorization: `Bearer ${TOKEN}` });
        expect(res.status).toBe(200);
        expect(res.text).toContain('sogs_posts_total');
      } finally {
        await listener.close();
      }
    });
  });
});
