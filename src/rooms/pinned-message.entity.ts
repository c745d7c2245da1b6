import { Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { RefColumn, TimeColumn } from '../database/columns';
import { Message } from '../messages/message.entity';
import { User } from '../users/user.entity';
import { Room } from './room.entity';

/** A pinned message (§7.7); the composite key to messages (room, id) pins a message in its own room only. */
@Entity('pinned_messages')
@ForeignKey(() => Message, ['room', 'message'], ['room', 'id'], { onDelete: 'CASCADE' })
export class PinnedMessage {
  @PrimaryColumn('bigint') @ForeignKey(() => Room, { onDelete: 'CASCADE' }) room!: number;
  @PrimaryColumn('bigint') message!: number;
  @RefColumn() @ForeignKey(() => User, { onDelete: 'CASCADE' }) pinned_by!: number;
  @TimeColumn({ now: true }) pinned_at!: number;
}
