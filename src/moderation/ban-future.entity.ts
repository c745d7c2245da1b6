import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { IdColumn, RefColumn, TimeColumn } from '../database/columns';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';

/** A ban or unban scheduled for `at` (a timed ban's end), in a room or (room null) server-wide. */
@Entity('user_ban_futures')
@Index('user_ban_futures_at_idx', ['at'])
export class BanFuture {
  @IdColumn() id!: number;
  @RefColumn({ nullable: true }) @ForeignKey(() => Room, { onDelete: 'CASCADE' }) room!: number | null;
  @RefColumn() @ForeignKey(() => User, { onDelete: 'CASCADE' }) user!: number;
  @TimeColumn() at!: number;
  @Column('boolean') banned!: boolean;
}
