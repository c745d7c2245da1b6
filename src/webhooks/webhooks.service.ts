import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../common/clock';
import { InvalidInput, NotFound } from '../common/errors';
import { WEBHOOK_EVENTS, WebhookEventType } from './webhook-event';
import { Webhook } from './webhook.entity';
import { DeliveryRow, WebhooksRepository, WebhookSummary } from './webhooks.repository';

/** The admin commands' side of webhooks: add, list, remove, and the deliveries with their status. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * `rooms` are tokens as the rooms spell them (the caller has checked they exist); empty lists
   * mean every room and every event. Without a secret a random one (32 bytes, hex) is made.
   */
  add(input: { url: string; rooms: string[]; events: WebhookEventType[]; secret?: string }): Promise<Webhook> {
    checkUrl(input.url);
    if (input.secret !== undefined && !input.secret.length) throw new InvalidInput('the secret must not be empty');
    const unknown = input.events.filter((e) => !WEBHOOK_EVENTS.includes(e));
    if (unknown.length) throw new InvalidInput(`unknown event "${unknown[0]}": use ${WEBHOOK_EVENTS.join(', ')}`);
    return this.repo.add({
      url: input.url,
      rooms: [...new Set(input.rooms)],
      events: WEBHOOK_EVENTS.filter((e) => input.events.includes(e)),
      secret: input.secret ?? randomBytes(32).toString('hex'),
      created: this.clock.now(),
    });
  }

  list(): Promise<WebhookSummary[]> {
    return this.repo.list();
  }

  async remove(id: number): Promise<void> {
    if (!(await this.repo.remove(id))) throw new NotFound(`no such webhook: ${id}`);
  }

  /**
   * The failed deliveries of webhook `id` (of every webhook when null) are tried once more, at
   * once: their retry window is over, so one failing again is marked failed again. How many.
   */
  async retry(id: number | null): Promise<number> {
    if (id !== null && !(await this.repo.exists(id))) throw new NotFound(`no such webhook: ${id}`);
    return this.repo.retryFailed(id, this.clock.now());
  }

  async deliveries(q: { webhook: number | null; failed: boolean; limit: number }): Promise<DeliveryRow[]> {
    if (q.webhook !== null && !(await this.repo.exists(q.webhook))) throw new NotFound(`no such webhook: ${q.webhook}`);
    return this.repo.deliveries(q);
  }
}

function checkUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInput(`invalid URL "${value}": give an http:// or https:// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidInput(`invalid URL "${value}": give an http:// or https:// URL`);
}
