import { Column, Entity } from 'typeorm';
import { IdColumn, TimeColumn } from '../database/columns';

/** An endpoint that receives the server's events as signed JSON POSTs (`sogs webhooks add`). */
@Entity('webhooks')
export class Webhook {
  @IdColumn() id!: number;
  @Column('text') url!: string;
  /** Room tokens as the rooms spell them; empty = every room. */
  @Column('text', { array: true }) rooms!: string[];
  /** Event types it receives; empty = every type. */
  @Column('text', { array: true }) events!: string[];
  /** The key of the X-SOGS-Signature HMAC. */
  @Column('text') secret!: string;
  @TimeColumn() created!: number;
}
