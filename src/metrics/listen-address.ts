import * as path from 'node:path';

/** Where the separate metrics listener binds: a TCP address or a unix socket. */
export type ListenAddress = { host: string; port: number } | { socket: string };

/**
 * `SOGS_METRICS_LISTEN`: `HOST:PORT`, `[IPv6]:PORT`, a bare port (on 127.0.0.1), or a path with a
 * `/` in it (a unix socket, resolved against the working directory). A string is the problem.
 */
export function parseListenAddress(raw: string): ListenAddress | string {
  const v = raw.trim();
  if (v.includes('/')) return { socket: path.resolve(v) };
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(v) ?? /^()()(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) return `expected HOST:PORT, a port or a unix socket path, got "${raw}"`;
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

/** For the banner and the log: `http://127.0.0.1:9464/metrics` or `unix:/run/sogs/metrics.sock`. */
export function describeListenAddress(a: ListenAddress): string {
  if ('socket' in a) return `unix:${a.socket} (GET /metrics)`;
  return `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/metrics`;
}
