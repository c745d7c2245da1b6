import { Entity, ForeignKey, Index } from 'typeorm';
import { IdColumn, OptionalFlag, RefColumn, TimeColumn } from '../database/columns';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';

/** A permission change scheduled for `at` (null = unchanged), applied by the cleanup job. */
@Entity('user_permission_futures')
@Index('user_permission_futures_at_idx', ['at'])
export class PermissionFuture {
  @IdColumn() id!: number;
  @RefColumn() @ForeignKey(() => Room, { onDelete: 'CASCADE' }) room!: number;
  @RefColumn() @ForeignKey(() => User, { onDelete: 'CASCADE' }) user!: number;
  @TimeColumn() at!: number;
  @OptionalFlag() read!: boolean | null;
  @OptionalFlag() write!: boolean | null;
  @OptionalFlag() upload!: boolean | null;
}
