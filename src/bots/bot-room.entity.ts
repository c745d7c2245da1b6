import { Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Room } from '../rooms/room.entity';
import { Bot } from './bot.entity';

/** A room a bot limited to some rooms (`bots add --room`) may act in. */
@Entity('bot_rooms')
export class BotRoom {
  @PrimaryColumn('bigint') @ForeignKey(() => Bot, { onDelete: 'CASCADE' }) bot!: number;
  @PrimaryColumn('bigint') @ForeignKey(() => Room, { onDelete: 'CASCADE' }) room!: number;
}
