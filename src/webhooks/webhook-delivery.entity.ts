import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import { IdColumn, RefColumn, TimeColumn } from '../database/columns';
import { Webhook } from './webhook.entity';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * One event for one webhook: the outbox row written in the transaction of the change, then the
 * queue entry the delivery loop of every instance claims (`FOR UPDATE SKIP LOCKED`) and retries.
 */
@Entity('webhook_deliveries')
@Check('webhook_deliveries_status', `status IN ('pending', 'delivered', 'failed')`)
@Index('webhook_deliveries_due_idx', ['next_attempt'], { where: `status = 'pending'` })
@Index('webhook_deliveries_webhook_idx', ['webhook', 'id'])
@Index('webhook_deliveries_created_idx', ['created'])
export class WebhookDelivery {
  @IdColumn() id!: number;
  @RefColumn() @ForeignKey(() => Webhook, { onDelete: 'CASCADE' }) webhook!: number;
  @Column('text') event!: string;
  /** The event's data as sent (json keeps the keys in their order). */
  @Column('json') payload!: Record<string, unknown>;
  @Column('text') status!: DeliveryStatus;
  @Column('integer', { default: 0 }) attempts!: number;
  /** When a pending delivery is next tried; while one is in flight, when its claim lapses. */
  @TimeColumn() next_attempt!: number;
  /** The HTTP status of the last attempt, null when it got none (refused, timed out). */
  @Column('integer', { nullable: true }) last_status!: number | null;
  @Column('text', { nullable: true }) last_error!: string | null;
  /** When the event happened. */
  @TimeColumn() created!: number;
  @TimeColumn({ nullable: true }) delivered!: number | null;
}
