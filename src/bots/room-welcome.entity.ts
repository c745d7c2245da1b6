import { Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { TimeColumn } from '../database/columns';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';

/** A user welcomed in a room: the primary key makes the welcome once only, whichever instance sends it. */
@Entity('room_welcomes')
export class RoomWelcome {
  @PrimaryColumn('bigint') @ForeignKey(() => Room, { onDelete: 'CASCADE' }) room!: number;
  @PrimaryColumn('bigint') @ForeignKey(() => User, { onDelete: 'CASCADE' }) user!: number;
  @TimeColumn() at!: number;
}
