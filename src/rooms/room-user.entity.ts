import { Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { TimeColumn } from '../database/columns';
import { User } from '../users/user.entity';
import { Room } from './room.entity';

/** Who was active in which room, and when last (active user counts, §6.2). */
@Entity('room_users')
@Index('room_users_last_active_idx', ['last_active'])
export class RoomUser {
  @PrimaryColumn('bigint') @ForeignKey(() => Room, { onDelete: 'CASCADE' }) room!: number;
  @PrimaryColumn('bigint') @ForeignKey(() => User, { onDelete: 'CASCADE' }) user!: number;
  @TimeColumn({ now: true }) last_active!: number;
}
