import { Counter, Registry } from 'prom-client';

/**
 * Who sent a request: a client over the network, or this server to itself: the inner request of an
 * onion request, or a subrequest of `/batch` or `/sequence` (both run through Fastify's inject).
 */
export type RequestSource = 'client' | 'onion' | 'batch';

/** The route label of a request no route matched (404s of arbitrary paths: one value, not the path). */
export const UNMATCHED_ROUTE = '(unmatched)';

interface Count {
  labels: { method: string; route: string; status: string; source: RequestSource };
  n: number;
}

/**
 * `sogs_http_requests_total`, counted in a plain map on every response and handed to prom-client
 * only when scraped: a prom-client label lookup per request costs several times a map lookup, and
 * this runs for every request and subrequest.
 */
export class HttpRequestCounter {
  private readonly counts = new Map<string, Count>();

  constructor(registry: Registry) {
    const counts = this.counts;
    new Counter({
      name: 'sogs_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern, status and source (client; onion: the inner request of an onion request; batch: a subrequest of /batch or /sequence).',
      labelNames: ['method', 'route', 'status', 'source'],
      registers: [registry],
      collect() {
        this.reset();
        for (const c of counts.values()) this.inc(c.labels, c.n);
      },
    });
  }

  count(method: string, route: string | undefined, status: number, source: RequestSource): void {
    const key = `${source} ${method} ${status} ${route}`;
    const entry = this.counts.get(key);
    if (entry) entry.n++;
    else this.counts.set(key, { labels: { method, route: route ?? UNMATCHED_ROUTE, status: String(status), source }, n: 1 });
  }
}
