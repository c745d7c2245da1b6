import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import { Flag, IdColumn, RefColumn, TimeColumn } from '../database/columns';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';

/**
 * An invite to a room: whoever opens its link and gives a Session ID gets the permissions it
 * grants, as a per-user override. Only the SHA-256 of the code is kept, so a link is shown once.
 */
@Entity('room_invites')
@Index('room_invites_room_id_idx', ['room', 'id'])
@Check('room_invites_max_uses_check', 'max_uses >= 1')
@Check('room_invites_uses_check', 'uses >= 0')
export class RoomInvite {
  @IdColumn() id!: number;
  @RefColumn() @ForeignKey(() => Room, { onDelete: 'CASCADE' }) room!: number;
  @Column('bytea', { unique: true }) code_hash!: Buffer;
  /** What a redemption grants (each true: that permission becomes true for the person). */
  @Flag(true) read!: boolean;
  @Flag(true) write!: boolean;
  @Flag(true) upload!: boolean;
  @Column('integer', { default: 1 }) max_uses!: number;
  @Column('integer', { default: 0 }) uses!: number;
  /** Null = never expires. */
  @TimeColumn({ nullable: true }) expires!: number | null;
  @TimeColumn() created!: number;
  /** Null once the creator's user row is gone. */
  @RefColumn({ nullable: true }) @ForeignKey(() => User, { onDelete: 'SET NULL' }) created_by!: number | null;
  /** When it was revoked; null while it stands. */
  @TimeColumn({ nullable: true }) revoked!: number | null;
}
