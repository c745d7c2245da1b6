import { Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { Flag, IdColumn, RefColumn, TimeColumn } from '../database/columns';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';

/**
 * A room message (§7). The seqno_* columns are room message_sequence values stamped by the
 * triggers (§7.3); `seqno` is the later of the data and reaction stamps.
 */
@Entity('messages')
@Index('messages_room_seqno_idx', ['room', 'seqno'])
@Index('messages_room_posted_idx', ['room', 'posted'])
@Index('messages_user_room_posted_idx', ['user', 'room', 'posted']) // the post rate limit
// Live messages by age, for the retention cleanup (tombstones only accumulate).
@Index('messages_room_live_posted_idx', ['room', 'posted', 'id'], { where: 'data IS NOT NULL' })
// Unique (not just indexed) so that pinned_messages can reference (room, id).
@Unique('messages_room_id_key', ['room', 'id'])
export class Message {
  @IdColumn() id!: number;
  @RefColumn() @ForeignKey(() => Room, { onDelete: 'CASCADE' }) room!: number;
  @RefColumn() @ForeignKey(() => User, { onDelete: 'CASCADE' }) user!: number;
  @TimeColumn({ now: true }) posted!: number;
  @TimeColumn({ nullable: true }) edited!: number | null;
  @Column('bigint', { default: 0 }) seqno_data!: number;
  @Column('bigint', { default: 0 }) seqno_reactions!: number;
  @Column('bigint', { default: 0 }) seqno_creation!: number;
  @Column({ type: 'bigint', generatedType: 'STORED', asExpression: 'GREATEST(seqno_data, seqno_reactions)' }) seqno!: number;
  /** The exact bytes posted; null = deleted (a tombstone). */
  @Column('bytea', { nullable: true }) data!: Buffer | null;
  @Column('integer', { nullable: true }) data_size!: number | null;
  @Column('bytea', { nullable: true }) signature!: Buffer | null;
  /** Silently filtered (§7.8): stored, counted, shown to nobody. */
  @Flag(false) filtered!: boolean;
  /** The one recipient of a whisper. */
  @RefColumn({ nullable: true }) @ForeignKey(() => User, { onDelete: 'CASCADE' }) whisper!: number | null;
  @Flag(false) whisper_mods!: boolean;
}
