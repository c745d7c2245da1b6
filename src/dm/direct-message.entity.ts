import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { IdColumn, RefColumn, TimeColumn } from '../database/columns';
import { User } from '../users/user.entity';

/** A blinded direct message (§10): one row is both the recipient's inbox and the sender's outbox entry. */
@Entity('inbox')
@Index('inbox_recipient_id_idx', ['recipient', 'id'])
@Index('inbox_sender_id_idx', ['sender', 'id'])
@Index('inbox_expiry_idx', ['expiry'])
export class DirectMessage {
  @IdColumn() id!: number;
  @RefColumn() @ForeignKey(() => User, { onDelete: 'CASCADE' }) recipient!: number;
  @RefColumn() @ForeignKey(() => User, { onDelete: 'CASCADE' }) sender!: number;
  @Column('bytea') body!: Buffer;
  @TimeColumn({ now: true }) posted_at!: number;
  /** Set by the application from config; null = never. */
  @TimeColumn({ nullable: true }) expiry!: number | null;
}
