import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { IdColumn, RefColumn, TimeColumn } from '../database/columns';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';

/** The moderation audit log: who did what to whom, when, and where (room null = server-wide). */
@Entity('moderation_log')
@Index('moderation_log_room_idx', ['room', 'id'])
@Index('moderation_log_at_idx', ['at'])
export class ModerationLogEntry {
  @IdColumn() id!: number;
  @TimeColumn() at!: number;
  /** Null = the server itself (a scheduled change or timed ban coming due). */
  @RefColumn({ nullable: true }) @ForeignKey(() => User, { onDelete: 'SET NULL' }) actor!: number | null;
  @Column('text') action!: string;
  @RefColumn({ nullable: true }) @ForeignKey(() => User, { onDelete: 'SET NULL' }) target!: number | null;
  /** A deleted room takes its log with it; its deletion is logged server-wide. */
  @RefColumn({ nullable: true }) @ForeignKey(() => Room, { onDelete: 'CASCADE' }) room!: number | null;
  @Column('jsonb', { default: () => "'{}'" }) details!: Record<string, unknown>;
}
