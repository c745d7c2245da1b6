import * as fs from 'node:fs';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/** Where a side listener (metrics, the local bot API) binds: a TCP address or a unix socket. */
export type ListenAddress = { host: string; port: number } | { socket: string };

/**
 * `SOGS_METRICS_LISTEN`, `SOGS_BOT_API_LISTEN`: `HOST:PORT`, `[IPv6]:PORT`, a bare port (on 127.0.0.1), or a path with a
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

/** For the banner and the log: `http://127.0.0.1:9464` or `unix:/run/sogs/bots.sock`. */
export function listenUrl(a: ListenAddress): string {
  if ('socket' in a) return `unix:${a.socket}`;
  return `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/**
 * Binds a side listener to `address`, first removing a socket file left by a process that ended
 * without removing it (anything else at that path is left alone); a bind error rejects with
 * `fail(reason)`. Resolves with the address bound: the actual port when 0 was asked for.
 */
export async function bindListener(server: http.Server, address: ListenAddress, fail: (reason: string) => Error): Promise<ListenAddress> {
  if ('socket' in address) removeStaleSocket(address.socket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(fail(err.code ?? err.message)));
    if ('socket' in address) server.listen(address.socket, resolve);
    else server.listen(address.port, address.host, resolve);
  });
  return 'socket' in address ? address : { host: address.host, port: (server.address() as AddressInfo).port };
}

/** Stops a side listener at once, cutting its open connections. */
export function closeListener(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function removeStaleSocket(file: string): void {
  try {
    if (fs.statSync(file).isSocket()) fs.rmSync(file);
  } catch {
    // absent: nothing to remove
  }
}
