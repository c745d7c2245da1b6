import { Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { TimeColumn } from '../database/columns';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';

/** When the filter bot last answered a user in a room (at most once a minute, across instances). */
@Entity('filter_replies')
export class FilterReply {
  @PrimaryColumn('bigint') @ForeignKey(() => Room, { onDelete: 'CASCADE' }) room!: number;
  @PrimaryColumn('bigint') @ForeignKey(() => User, { onDelete: 'CASCADE' }) user!: number;
  @TimeColumn() at!: number;
}
