import { Column, Entity, ForeignKey, Unique } from 'typeorm';
import { IdColumn, RefColumn } from '../database/columns';
import { Message } from './message.entity';

/** One reaction (an emoji) on a message, as long as somebody has it (§7.6); its users are in user_reactions. */
@Entity('reactions')
@Unique('reactions_message_reaction_key', ['message', 'reaction'])
export class Reaction {
  @IdColumn() id!: number;
  @RefColumn() @ForeignKey(() => Message, { onDelete: 'CASCADE' }) message!: number;
  @Column('text') reaction!: string;
}
