import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { IdColumn, RefColumn, TimeColumn } from '../database/columns';
import { Message } from './message.entity';

/** A replaced version of a message, written by the edit/delete trigger. */
@Entity('message_history')
@Index('message_history_replaced_idx', ['replaced'])
@Index('message_history_message_idx', ['message']) // for cascading deletes
export class MessageHistory {
  @IdColumn() id!: number;
  @RefColumn() @ForeignKey(() => Message, { onDelete: 'CASCADE' }) message!: number;
  @TimeColumn() replaced!: number;
  @Column('bytea', { nullable: true }) data!: Buffer | null;
  @Column('bytea', { nullable: true }) signature!: Buffer | null;
}
