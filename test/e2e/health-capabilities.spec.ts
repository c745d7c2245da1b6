import request from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';

describe('health and capabilities over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET /healthz answers while the process is up', async () => {
    const res = await request(t.server).get('/healthz').expect(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz checks the database', async () => {
    await request(t.server).get('/readyz').expect(200, { status: 'ok' });
  });

  it('GET /capabilities lists sorted capabilities with blind on by default', async () => {
    await request(t.server).get('/capabilities').expect(200, { capabilities: ['blind', 'reactions', 'sogs'] });
  });

  it('answers 412 with the missing names in request order, duplicates kept', async () => {
    const res = await request(t.server).get('/capabilities?required=sogs,magic,batch,magic').expect(412);
    expect(res.body).toEqual({ capabilities: ['blind', 'reactions', 'sogs'], missing: ['magic', 'batch', 'magic'] });
  });

  it('answers 200 when every required capability exists', async () => {
    await request(t.server).get('/capabilities?required=sogs,blind').expect(200, { capabilities: ['blind', 'reactions', 'sogs'] });
  });

  it('treats an empty required list as one missing empty name', async () => {
    const res = await request(t.server).get('/capabilities?required=').expect(412);
    expect(res.body.missing).toEqual(['']);
  });

  it('rejects a repeated required parameter with 400, not 500', async () => {
    const res = await request(t.server).get('/capabilities?required=a&required=b').expect(400);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('answers unknown paths with a plain-text 404', async () => {
    const res = await request(t.server).get('/no/such/thing').expect(404);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe('Not found');
  });

  it('answers a body over the limit with 413, not 500', async () => {
    const big = Buffer.alloc(t.config.uploadMaxBytes + 2 * 1024 * 1024);
    const res = await request(t.server).post('/capabilities').set('content-type', 'application/octet-stream').send(big);
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toMatch(/too large/i);
  });
});

describe('capabilities without blinding', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_REQUIRE_BLIND_KEYS: 'no' } });
  });
  afterAll(() => t.close());

  it('does not advertise blind', async () => {
    await request(t.server).get('/capabilities').expect(200, { capabilities: ['reactions', 'sogs'] });
  });
});
