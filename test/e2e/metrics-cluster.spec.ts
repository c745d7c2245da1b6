import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, startServer, Started } from '../support/processes';
import { parseSamples, valueOf } from '../support/prometheus-text';
import { openTestDatabase, TestDatabase } from '../support/test-database';
import { testPostgresUrl } from '../support/test-env';

const TOKEN = 'cluster-metrics-token-0123456789';
const REQUESTS = 12;

/**
 * The built server with two workers (SOGS_WORKERS=2): a scrape, on the primary's separate listener
 * or on the main port (whichever worker takes it), is the sum of both workers' series.
 */
describe('metrics of two server workers', () => {
  let dataDir: string;
  let database: TestDatabase | undefined;
  let server: Started;
  let metricsPort: number;

  beforeAll(async () => {
    await build();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-metrics-cluster-'));
    const env: Record<string, string> = {
      SOGS_DATA_DIR: dataDir,
      SOGS_PORT: '0',
      SOGS_WORKERS: '2',
      SOGS_WORKER_HEAP_MB: '256',
      SOGS_LOG_LEVEL: 'debug',
      SOGS_CLEANUP_INTERVAL_SECONDS: '0',
      SOGS_METRICS_LISTEN: '127.0.0.1:0',
      SOGS_METRICS_TOKEN: TOKEN,
    };
    if (testPostgresUrl()) {
      database = await openTestDatabase();
      env.DATABASE_URL = database.connection.url;
    }
    server = await startServer(env);
    metricsPort = Number(/metrics\s+http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(server.stderr())![1]);
  }, 240_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null) await server.stop();
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** One request on a connection of its own, so the primary hands consecutive ones to alternate workers. */
  const get = (port: number, url: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: url, headers, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject).end();
    });
  const capabilities = { method: 'GET', route: '/capabilities', status: '200', source: 'client' };

  it('adds up both workers, on the separate listener and on the main port', async () => {
    const from = server.stdout().length;
    for (let i = 0; i < REQUESTS; i++) expect((await get(server.port, '/capabilities')).status).toBe(200);
    const servedBy = server
      .stdout()
      .slice(from)
      .split('\n')
      .filter((l) => l.includes('"msg":"request"'))
      .map((l) => JSON.parse(l).worker as number);
    // Both workers answered some, so neither alone counted all of them.
    expect(new Set(servedBy)).toEqual(new Set([0, 1]));

    const listener = await get(metricsPort, '/metrics', { authorization: `Bearer ${TOKEN}` });
    expect(listener.status).toBe(200);
    const summed = parseSamples(listener.text);
    expect(valueOf(summed, 'sogs_cluster_workers_scraped')).toBe(2);
    expect(valueOf(summed, 'sogs_http_requests_total', capabilities)).toBe(REQUESTS);
    expect(valueOf(summed, 'sogs_primary_process_resident_memory_bytes')).toBeGreaterThan(0);
    // A gauge of each worker's pool is summed too: twice one worker's size limit.
    expect(valueOf(summed, 'sogs_db_pool_max_connections') % 2).toBe(0);
    expect(valueOf(summed, 'sogs_db_pool_max_connections')).toBeGreaterThanOrEqual(2);

    // The main port answers the same sum, whichever worker takes the scrape.
    for (let i = 0; i < 2; i++) {
      const main = await get(server.port, '/metrics', { authorization: `Bearer ${TOKEN}` });
      expect(main.status).toBe(200);
      const samples = parseSamples(main.text);
      expect(valueOf(samples, 'sogs_cluster_workers_scraped')).toBe(2);
      expect(valueOf(samples, 'sogs_http_requests_total', capabilities)).toBe(REQUESTS);
    }
    expect((await get(server.port, '/metrics')).status).toBe(401);
    expect((await get(metricsPort, '/metrics')).status).toBe(401);
  });

  it('stops the listener with the server', async () => {
    expect(await server.stop()).toBe(0);
    await expect(get(metricsPort, '/metrics', { authorization: `Bearer ${TOKEN}` })).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);
});
