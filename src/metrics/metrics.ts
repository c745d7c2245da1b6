import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HttpRequestCounter } from './http-request-counter';

/** Every series is named `sogs_…`; the process defaults (CPU, memory, event loop, GC) too. */
export const METRIC_PREFIX = 'sogs_';

/** Pool usage as pg's Pool reports it. */
export interface PoolUsage {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

const ONION_OUTCOMES = ['rejected', 'invalid', 'ok', 'client_error', 'server_error'] as const;
const AUTH_FAILURES = ['malformed', 'unblinded', 'clock', 'banned', 'nonce_reused', 'signature', 'required'] as const;
export type OnionOutcome = (typeof ONION_OUTCOMES)[number];
export type AuthFailure = (typeof AUTH_FAILURES)[number];

/**
 * The Prometheus series of one server process, in a registry of its own (not prom-client's global
 * one, so several apps in one test process do not collide). No label ever holds a Session ID, an
 * address, a token or message content: routes are patterns, the rest are small fixed sets.
 * In a cluster each worker has one; the primary adds them up (see cluster-metrics.ts).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  private readonly histogram = (name: string, help: string, buckets: number[]) => new Histogram({ name, help, buckets, registers: [this.registry] });
  private processMetrics = false;
  private poolUsage: () => PoolUsage | undefined = () => undefined;
  private lag: () => number = () => 0;
  private whole?: () => Promise<string>;

  readonly http = new HttpRequestCounter(this.registry);

  readonly onion = this.counter(
    'sogs_onion_requests_total',
    'Onion requests by protocol version, cipher and outcome (rejected: the envelope could not be opened; invalid: the decrypted request was malformed; otherwise by the inner status).',
    ['version', 'cipher', 'outcome'] as const,
  );

  readonly authFailures = this.counter(
    'sogs_auth_failures_total',
    'Requests refused by X-SOGS-* authentication, by reason.',
    ['reason'] as const,
  );

  readonly posts = this.counter(
    'sogs_posts_total',
    'Messages posted to rooms (filtered="true": accepted but shown to nobody by a silent content filter).',
    ['filtered'] as const,
  );

  readonly deletions = this.counter(
    'sogs_message_deletions_total',
    'Room messages deleted, by who deleted them (the author, or a moderator).',
    ['by'] as const,
  );

  readonly uploads = this.counter('sogs_uploads_total', 'Files uploaded.');
  readonly uploadBytes = this.counter('sogs_upload_bytes_total', 'Bytes of files uploaded.');
  readonly directMessages = this.counter('sogs_direct_messages_total', 'Direct (inbox) messages sent.');

  readonly bans = this.counter(
    'sogs_bans_total',
    'Bans given, by scope (room: one ban however many rooms it names; global).',
    ['scope'] as const,
  );

  readonly pollSeconds = this.histogram(
    'sogs_poll_duration_seconds',
    'Time to answer a poll: a /batch or /sequence with a since/pollInfo/inbox/outbox subrequest, or such a request alone (an onion request\'s inner request counts, the onion decryption not).',
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );

  readonly querySeconds = this.histogram(
    'sogs_db_query_duration_seconds',
    'Time of the SQL statements the server runs (alone or inside a transaction), from sending to the result.',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  );

  readonly cleanupSeconds = this.histogram(
    'sogs_cleanup_duration_seconds',
    'Duration of the cleanup rounds this process ran (expiries, timed bans, schedules).',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );

  readonly cleanupRounds = this.counter(
    'sogs_cleanup_rounds_total',
    'Cleanup rounds by outcome (ran; skipped: another instance held the lock; failed).',
    ['outcome'] as const,
  );

  readonly webhookAttempts = this.counter(
    'sogs_webhook_attempts_total',
    'Webhook delivery attempts this process made, by outcome (delivered; retry: failed, tried again later; failed: failed for good; abandoned: cut off at shutdown, tried again).',
    ['outcome'] as const,
  );

  readonly shed = this.counter(
    'sogs_shed_requests_total',
    'Requests answered 503 because the event loop lagged more than SOGS_SHED_LAG_MS.',
  );

  constructor() {
    this.startAtZero();
    const usage = () => this.poolUsage();
    const poolGauge = (name: string, help: string, pick: (u: PoolUsage) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const u = usage();
          if (u) this.set(pick(u));
        },
      });
    poolGauge('sogs_db_pool_connections', 'Connections open in the database pool.', (u) => u.total);
    poolGauge('sogs_db_pool_idle_connections', 'Open database connections not in use.', (u) => u.idle);
    poolGauge('sogs_db_pool_waiting_clients', 'Queries waiting for a database connection.', (u) => u.waiting);
    poolGauge('sogs_db_pool_max_connections', 'Size limit of the database pool.', (u) => u.max);
    const lag = () => this.lag();
    new Gauge({
      name: 'sogs_event_loop_lag_seconds',
      help: 'Event-loop lag as the load shedding sees it (timer drift, decaying); across workers the largest.',
      registers: [this.registry],
      aggregator: 'max',
      collect() {
        this.set(lag() / 1000);
      },
    });
  }

  /**
   * Every labelled counter with its possible label values at 0, so each series exists from the
   * start (a rate over a series that appears with its first increment misses that increment).
   */
  private startAtZero(): void {
    for (const version of ['v3', 'v4']) {
      for (const cipher of ['aes-gcm', 'xchacha20']) for (const outcome of ONION_OUTCOMES) this.onion.inc({ version, cipher, outcome }, 0);
      this.onion.inc({ version, cipher: 'unknown', outcome: 'rejected' }, 0);
    }
    for (const reason of AUTH_FAILURES) this.authFailures.inc({ reason }, 0);
    for (const filtered of ['false', 'true']) this.posts.inc({ filtered }, 0);
    for (const by of ['author', 'moderator']) this.deletions.inc({ by }, 0);
    for (const scope of ['room', 'global']) this.bans.inc({ scope }, 0);
    for (const outcome of ['ran', 'skipped', 'failed']) this.cleanupRounds.inc({ outcome }, 0);
    for (const outcome of ['delivered', 'retry', 'failed', 'abandoned']) this.webhookAttempts.inc({ outcome }, 0);
  }

  /** CPU, memory, heap, GC, handles and event-loop lag of this process (prom-client's defaults). */
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  watchPool(usage: () => PoolUsage | undefined): void {
    this.poolUsage = usage;
  }

  watchLag(lagMs: () => number): void {
    this.lag = lagMs;
  }

  /** This process's series in the text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** What a scrape answers: this process's series, or the whole cluster's once a worker says where to get them. */
  scrape(): Promise<string> {
    return this.whole ? this.whole() : this.text();
  }

  scrapeFrom(whole: () => Promise<string>): void {
    this.whole = whole;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
