import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { TEXT_PLAIN } from '../common/error.filter';
import { Metrics } from '../metrics/metrics';
import { requestSource } from '../metrics/request-source';

/** How often the event loop's lag is sampled (ms). */
const SAMPLE_EVERY = 50;
/** Routes that answer however late the loop runs: liveness (so a busy instance is not killed) and scrapes. */
const NEVER_SHED = new Set(['/healthz', '/metrics']);

/**
 * The event loop's lag from the drift of a timer: how much later than asked the last tick ran,
 * decaying by half per tick, so one long stall is remembered for a few ticks and then forgotten.
 * Costs one timer callback per 50 ms, and nothing per request.
 */
export class LagSampler {
  private timer?: NodeJS.Timeout;
  private expected = 0;
  /** The current lag, ms. */
  lagMs = 0;

  start(): this {
    this.expected = performance.now() + SAMPLE_EVERY;
    this.timer = setInterval(() => this.tick(), SAMPLE_EVERY).unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Forgets the lag so far (the start-up's stalls, before anything was served). */
  reset(): void {
    this.lagMs = 0;
    this.expected = performance.now() + SAMPLE_EVERY;
  }

  private tick(): void {
    const now = performance.now();
    this.lagMs = Math.max(now - this.expected, this.lagMs / 2, 0);
    this.expected = now + SAMPLE_EVERY;
  }
}

/**
 * Load shedding: while the event loop lags more than `thresholdMs`, a request from the network is
 * answered at once with 503 and Retry-After instead of joining a queue that only grows. Liveness
 * (/healthz) and /metrics still answer; /readyz does not, so a load balancer sends traffic
 * elsewhere meanwhile. Subrequests (batch, onion) belong to a request already admitted.
 */
export function installLoadShedding(fastify: FastifyInstance, thresholdMs: number, metrics: Metrics): void {
  const sampler = new LagSampler().start();
  metrics.watchLag(() => sampler.lagMs);
  fastify.addHook('onListen', (done) => {
    sampler.reset();
    done();
  });
  fastify.addHook('onClose', (_instance, done) => {
    sampler.stop();
    done();
  });
  if (!thresholdMs) return;
  fastify.addHook('onRequest', (req, reply, done) => {
    const lag = sampler.lagMs;
    if (lag <= thresholdMs || NEVER_SHED.has(req.routeOptions.url ?? '') || requestSource(req) !== 'client') return done();
    metrics.shed.inc();
    void reply
      .code(503)
      .header('retry-after', String(Math.max(1, Math.ceil(lag / 1000))))
      .header('content-type', TEXT_PLAIN)
      .send('Service unavailable: the server is overloaded; try again shortly');
  });
}
