import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { Message } from '../messages/message.entity';
import { DeliveryStatus, WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEventType } from './webhook-event';
import { Webhook } from './webhook.entity';

/** What the event recorder needs of each webhook: which events of which rooms it takes. */
export type Subscription = Pick<Webhook, 'id' | 'rooms' | 'events'>;

/** A message as its events describe it; whispers and filtered posts are never loaded. */
export type EventMessage = Pick<Message, 'id' | 'seqno' | 'posted' | 'edited'> & { data: Buffer | null; author: string };

/** A delivery claimed for one attempt, with where it goes. */
export type ClaimedDelivery = Pick<WebhookDelivery, 'id' | 'webhook' | 'event' | 'payload' | 'attempts' | 'created'> & Pick<Webhook, 'url' | 'secret'>;

/** How an attempt ended, as stored. */
export interface AttemptOutcome {
  status: DeliveryStatus;
  nextAttempt: number;
  delivered: number | null;
  lastStatus: number | null;
  lastError: string | null;
}

export type DeliveryRow = Pick<
  WebhookDelivery,
  'id' | 'webhook' | 'event' | 'status' | 'attempts' | 'next_attempt' | 'last_status' | 'last_error' | 'created' | 'delivered'
>;

/** A webhook with counts of its deliveries and the outcome of the latest attempt. */
export type WebhookSummary = Webhook & {
  pending: number;
  delivered: number;
  failed: number;
  last: Pick<WebhookDelivery, 'id' | 'status' | 'last_status' | 'last_error' | 'attempts'> | null;
};

@Injectable()
export class WebhooksRepository {
  constructor(private readonly db: Db) {}

  subscriptions(sql: Sql = this.db): Promise<Subscription[]> {
    return sql.query<Subscription>(`SELECT id, rooms, events FROM webhooks ORDER BY id`);
  }

  /** Session IDs and room token of a log entry's row ids (each null when not given or gone). */
  async names(actor: number | null, target: number | null, room: number | null, tx: Sql): Promise<{ actor: string | null; target: string | null; room: string | null }> {
    const row = await tx.one<{ actor: string | null; target: string | null; room: string | null }>(
      `SELECT (SELECT session_id FROM users WHERE id = $1) AS actor,
              (SELECT session_id FROM users WHERE id = $2) AS target,
              (SELECT token FROM rooms WHERE id = $3) AS room`,
      [actor, target, room],
    );
    return row!;
  }

  /** The messages among `ids` that everyone in the room sees (or saw): no whispers, nothing filtered. */
  publicMessages(ids: number[], tx: Sql): Promise<EventMessage[]> {
    return tx.query<EventMessage>(
      `SELECT m.id, m.seqno, m.posted, m.edited, m.data, u.session_id AS author
         FROM messages m JOIN users u ON u.id = m."user"
        WHERE m.id = ANY($1::bigint[]) AND m.whisper IS NULL AND NOT m.whisper_mods AND NOT m.filtered
        ORDER BY m.id`,
      [ids],
    );
  }

  async seqno(message: number, tx: Sql): Promise<number> {
    return (await tx.one<{ seqno: number }>(`SELECT seqno FROM messages WHERE id = $1`, [message]))!.seqno;
  }

  /**
   * One delivery per webhook and payload (JSON texts). Webhooks removed since the caller's list was
   * read are skipped rather than failing the change.
   */
  async enqueue(webhooks: number[], event: WebhookEventType, payloads: string[], at: number, tx: Sql): Promise<void> {
    await tx.execute(
      `INSERT INTO webhook_deliveries (webhook, event, payload, status, next_attempt, created)
       SELECT w.id, $2, p.payload, 'pending', $4, $4
         FROM webhooks w, unnest($3::json[]) WITH ORDINALITY AS p(payload, n)
        WHERE w.id = ANY($1::bigint[])
        ORDER BY p.n, w.id`,
      [webhooks, event, payloads, at],
    );
  }

  /**
   * Claims up to `limit` due deliveries for one attempt each: the attempt is counted and the row's
   * next attempt moved to `leaseUntil`, in one statement, so another instance skips it (locked now,
   * not due once committed). A claim left by an instance that died lapses at `leaseUntil`.
   */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<ClaimedDelivery[]> {
    return this.db.query<ClaimedDelivery>(
      `WITH due AS (
         SELECT id FROM webhook_deliveries
          WHERE status = 'pending' AND next_attempt <= $1
          ORDER BY next_attempt, id
          LIMIT $3
          FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt = $2
         FROM due, webhooks w
        WHERE d.id = due.id AND w.id = d.webhook
       RETURNING d.id, d.webhook, d.event, d.payload, d.attempts, d.created, w.url, w.secret`,
      [now, leaseUntil, limit],
    );
  }

  /** Records an attempt's outcome, unless the claim lapsed and another attempt has begun. */
  async finish(id: number, attempts: number, o: AttemptOutcome): Promise<void> {
    await this.db.execute(
      `UPDATE webhook_deliveries SET status = $3, next_attempt = $4, delivered = $5, last_status = $6, last_error = $7
        WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
      [id, attempts, o.status, o.nextAttempt, o.delivered, o.lastStatus, o.lastError],
    );
  }

  /** An attempt abandoned at shutdown: due again at once, and not counted. */
  async release(id: number, attempts: number, now: number): Promise<void> {
    await this.db.execute(
      `UPDATE webhook_deliveries SET attempts = attempts - 1, next_attempt = $3
        WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
      [id, attempts, now],
    );
  }

  async add(w: Omit<Webhook, 'id'>): Promise<Webhook> {
    return (await this.db.one<Webhook>(
      `INSERT INTO webhooks (url, rooms, events, secret, created) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [w.url, w.rooms, w.events, w.secret, w.created],
    ))!;
  }

  list(): Promise<WebhookSummary[]> {
    return this.db.query<WebhookSummary>(
      `SELECT w.*,
              (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook = w.id AND d.status = 'pending')::int AS pending,
              (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook = w.id AND d.status = 'delivered')::int AS delivered,
              (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook = w.id AND d.status = 'failed')::int AS failed,
              (SELECT json_build_object('id', d.id, 'status', d.status, 'last_status', d.last_status, 'last_error', d.last_error, 'attempts', d.attempts)
                 FROM webhook_deliveries d WHERE d.webhook = w.id AND d.attempts > 0
                ORDER BY d.id DESC LIMIT 1) AS last
         FROM webhooks w ORDER BY w.id`,
    );
  }

  /** Removes the webhook and its deliveries; false when there was none. */
  async remove(id: number): Promise<boolean> {
    return (await this.db.execute(`DELETE FROM webhooks WHERE id = $1`, [id])) > 0;
  }

  async exists(id: number): Promise<boolean> {
    return (await this.db.one(`SELECT 1 FROM webhooks WHERE id = $1`, [id])) !== undefined;
  }

  /** Newest first: one webhook's or every one's, only the failed ones when asked. */
  deliveries(q: { webhook: number | null; failed: boolean; limit: number }): Promise<DeliveryRow[]> {
    return this.db.query<DeliveryRow>(
      `SELECT id, webhook, event, status, attempts, next_attempt, last_status, last_error, created, delivered
         FROM webhook_deliveries
        WHERE ($1::bigint IS NULL OR webhook = $1) AND (NOT $2::boolean OR status = 'failed')
        ORDER BY id DESC LIMIT $3`,
      [q.webhook, q.failed, q.limit],
    );
  }

  /** Makes the failed deliveries (of one webhook, or of all) due again at `now`; how many. */
  retryFailed(webhook: number | null, now: number): Promise<number> {
    return this.db.execute(
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt = $2
        WHERE status = 'failed' AND ($1::bigint IS NULL OR webhook = $1)`,
      [webhook, now],
    );
  }

  /** Cleanup: delivered and failed deliveries of events older than `before`. */
  prune(before: number, tx: Sql): Promise<number> {
    return tx.execute(`DELETE FROM webhook_deliveries WHERE created < $1 AND status <> 'pending'`, [before]);
  }
}
