import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OperatorError } from '../common/operator-error';
import { bearerMatches } from './bearer-token';
import { describeListenAddress, ListenAddress } from './listen-address';

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
  if ('socket' in address) removeStaleSocket(address.socket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new MetricsListenError(`cannot serve metrics on ${describeListenAddress(address)}: ${err.code ?? err.message} (SOGS_METRICS_LISTEN)`)),
    );
    if ('socket' in address) server.listen(address.socket, resolve);
    else server.listen(address.port, address.host, resolve);
  });
  const bound = 'socket' in address ? address : { host: address.host, port: (server.address() as AddressInfo).port };
  return {
    description: describeListenAddress(bound),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
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

/** A socket file left by a process that ended without removing it; anything else is left alone. */
function removeStaleSocket(file: string): void {
  try {
    if (fs.statSync(file).isSocket()) fs.rmSync(file);
  } catch {
    // absent: nothing to remove
  }
}
