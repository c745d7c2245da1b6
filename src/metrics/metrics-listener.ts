import * as http from 'node:http';
import { OperatorError } from '../common/operator-error';
import { bindListener, closeListener, ListenAddress, listenUrl } from '../http/listen-address';
import { bearerMatches } from './bearer-token';

export class MetricsListenError extends OperatorError {}

/** What the listener serves: the scrape (this process's or the whole cluster's) and who may read it. */
export interface MetricsSource {
  scrape(): Promise<string>;
  contentType: string;
  /** '' = no token asked for. */
  token: string;
}

export interface MetricsListener {
  /** Where it listens, with the port actually bound (for the banner). */
  description: string;
  close(): Promise<void>;
}

/**
 * The separate metrics listener (SOGS_METRICS_LISTEN): plain node:http, `GET /metrics` and nothing
 * else, so it can live in a cluster's primary without the application. It answers however busy the
 * workers are (they are asked with a time limit; see cluster-metrics.ts).
 */
export async function startMetricsListener(address: ListenAddress, source: MetricsSource): Promise<MetricsListener> {
  const server = http.createServer((req, res) => void answer(req, res, source));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const bound = await bindListener(server, address, (reason) => new MetricsListenError(`cannot serve metrics on ${describe(address)}: ${reason} (SOGS_METRICS_LISTEN)`));
  return { description: describe(bound), close: () => closeListener(server) };
}

/** `http://127.0.0.1:9464/metrics` or `unix:/run/sogs/metrics.sock (GET /metrics)`. */
function describe(a: ListenAddress): string {
  return 'socket' in a ? `${listenUrl(a)} (GET /metrics)` : `${listenUrl(a)}/metrics`;
}

async function answer(req: http.IncomingMessage, res: http.ServerResponse, source: MetricsSource): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/metrics') return reply(res, 404, 'Not found');
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'Method not allowed', { allow: 'GET, HEAD' });
  if (source.token && !bearerMatches(req.headers.authorization, source.token)) {
    return reply(res, 401, 'Metrics require Authorization: Bearer <SOGS_METRICS_TOKEN>', { 'www-authenticate': 'Bearer realm="metrics"' });
  }
  let text: string;
  try {
    text = await source.scrape();
  } catch {
    return reply(res, 503, 'Metrics are unavailable right now; try again shortly', { 'retry-after': '1' });
  }
  res.writeHead(200, { 'content-type': source.contentType, 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function reply(res: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}
