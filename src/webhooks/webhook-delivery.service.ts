import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock } from '../common/clock';
import { AppConfig, CONFIG } from '../config/config';
import { LOGGER } from '../logging/logger';
import { Metrics } from '../metrics/metrics';
import { WebhookBody, WebhookEventData, WebhookEventType } from './webhook-event';
import { sendWebhook, WebhookResponse } from './webhook-sender';
import { AttemptOutcome, ClaimedDelivery, WebhooksRepository } from './webhooks.repository';

/** The longest wait between two attempts, however many failed. */
const MAX_BACKOFF = 3600;
/** A claim lasts the attempt's timeout and this much more before another instance may take it over. */
const CLAIM_MARGIN = 60;

/**
 * The delivery loop each server instance runs: every SOGS_WEBHOOKS_POLL_MS it claims due
 * deliveries (up to SOGS_WEBHOOKS_CONCURRENCY in flight), POSTs them and records the outcome:
 * 2xx delivered; anything else retried after SOGS_WEBHOOKS_BACKOFF_SECONDS, doubling (at most an
 * hour), until SOGS_WEBHOOKS_RETRY_HOURS after the event, then failed. Nothing in a request waits
 * for it. Claims are short statements (`FOR UPDATE SKIP LOCKED`), never a transaction held across
 * the HTTP request, so instances on one database share the queue and each attempt is made once.
 *
 * On shutdown it claims nothing more and gives the attempts in flight the server's shutdown
 * bound (SOGS_SHUTDOWN_SECONDS); those still running then are abandoned and made due again at once.
 */
@Injectable()
export class WebhookDeliveryService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly inFlight = new Map<number, { done: Promise<void>; abort: AbortController }>();
  private claiming?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private deadline?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.webhooks.pollMs) this.schedule();
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
    clearTimeout(this.timer);
    if (this.inFlight.size) {
      this.deadline = setTimeout(() => {
        for (const { abort } of this.inFlight.values()) abort.abort();
      }, this.config.shutdownSeconds * 1000);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.beforeApplicationShutdown(); // when closed without the hook before (idempotent)
    await this.claiming;
    await Promise.all([...this.inFlight.values()].map((f) => f.done));
    clearTimeout(this.deadline);
  }

  /**
   * Attempts every delivery due now, in rounds of SOGS_WEBHOOKS_CONCURRENCY, and returns how many
   * attempts it made. For tests that run without the timer (SOGS_WEBHOOKS_POLL_MS=0).
   */
  async deliverDue(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const claimed = await this.claim(this.config.webhooks.concurrency);
      if (!claimed.length) return attempts;
      await Promise.all(claimed.map((d) => this.attempt(d, new AbortController().signal)));
      attempts += claimed.length;
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.fill().finally(() => {
        if (!this.stopping) this.schedule();
      });
    }, this.config.webhooks.pollMs);
    this.timer.unref();
  }

  /** Claims as many due deliveries as there is room for and starts them; one claim at a time. */
  private fill(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.claiming ??= (async () => {
      while (!this.stopping) {
        const room = this.config.webhooks.concurrency - this.inFlight.size;
        if (room <= 0) return;
        const claimed = await this.claim(room);
        for (const d of claimed) this.start(d);
        if (claimed.length < room) return;
      }
    })()
      .catch((err: Error) => this.log.error({ err: { type: err.name, message: err.message } }, 'cannot claim webhook deliveries'))
      .finally(() => (this.claiming = undefined));
    return this.claiming;
  }

  private claim(limit: number): Promise<ClaimedDelivery[]> {
    const now = this.clock.now();
    return this.repo.claimDue(now, now + this.config.webhooks.timeoutMs / 1000 + CLAIM_MARGIN, limit);
  }

  private start(d: ClaimedDelivery): void {
    const abort = new AbortController();
    const done = this.attempt(d, abort.signal).finally(() => {
      this.inFlight.delete(d.id);
      // A slot is free: take the next due delivery now rather than at the next tick.
      if (!this.stopping) void this.fill();
    });
    this.inFlight.set(d.id, { done, abort });
  }

  /** One attempt and its outcome; never rejects (a claim whose outcome is lost lapses and is retried). */
  private async attempt(d: ClaimedDelivery, signal: AbortSignal): Promise<void> {
    try {
      const timestamp = Math.floor(this.clock.now());
      const body: WebhookBody = {
        delivery: d.id,
        event: d.event as WebhookEventType,
        at: d.created,
        timestamp,
        attempt: d.attempts,
        data: d.payload as unknown as WebhookEventData,
      };
      const response = await sendWebhook({
        url: d.url,
        secret: d.secret,
        delivery: d.id,
        event: d.event,
        timestamp,
        body: JSON.stringify(body),
        timeoutMs: this.config.webhooks.timeoutMs,
        signal,
      });
      if ('error' in response && signal.aborted) {
        await this.repo.release(d.id, d.attempts, this.clock.now());
        this.metrics.webhookAttempts.inc({ outcome: 'abandoned' });
        this.log.info({ webhook: d.webhook, delivery: d.id }, 'webhook delivery abandoned at shutdown; it will be retried');
        return;
      }
      const outcome = this.outcome(d, response);
      await this.repo.finish(d.id, d.attempts, outcome);
      this.metrics.webhookAttempts.inc({ outcome: outcome.status === 'pending' ? 'retry' : outcome.status });
      this.log.debug({ webhook: d.webhook, delivery: d.id, attempt: d.attempts, status: outcome.status, http: outcome.lastStatus, error: outcome.lastError }, 'webhook delivery');
    } catch (err) {
      this.log.error({ delivery: d.id, err: { type: (err as Error).name, message: (err as Error).message } }, 'cannot record a webhook delivery');
    }
  }

  private outcome(d: ClaimedDelivery, response: WebhookResponse): AttemptOutcome {
    const now = this.clock.now();
    const lastStatus = 'status' in response ? response.status : null;
    const lastError = 'error' in response ? response.error : null;
    if (lastStatus !== null && lastStatus >= 200 && lastStatus < 300) {
      return { status: 'delivered', nextAttempt: now, delivered: now, lastStatus, lastError };
    }
    const giveUpAt = d.created + this.config.webhooks.retryFor;
    if (now >= giveUpAt) return { status: 'failed', nextAttempt: now, delivered: null, lastStatus, lastError };
    // The last attempt comes when the retry window closes, however long the backoff has grown.
    const wait = Math.min(this.config.webhooks.backoff * 2 ** (d.attempts - 1), MAX_BACKOFF);
    return { status: 'pending', nextAttempt: Math.min(now + wait, giveUpAt), delivered: null, lastStatus, lastError };
  }
}
