import { Check, Column, Entity, ForeignKey } from 'typeorm';
import { Flag, IdColumn, RefColumn, TimeColumn } from '../database/columns';
import { User } from '../users/user.entity';

/** Bot names: what the CLI and the bot API's paths call a bot. */
export const BOT_NAME = /^[a-z0-9_-]{1,32}$/;

/**
 * A Session identity held by the server (issue #17). Its key is derived from the server key and
 * the name (bot-key.ts), so nothing secret is stored here but the hash of its API token.
 */
@Entity('bots')
@Check('bots_name_format', `name ~ '^[a-z0-9_-]{1,32}$'`)
export class Bot {
  @IdColumn() id!: number;
  @Column('text', { unique: true }) name!: string;
  @RefColumn({ unique: true }) @ForeignKey(() => User, { onDelete: 'CASCADE' }) user!: number;
  @Column('text', { nullable: true }) display_name!: string | null;
  /** false: the bot API lets it act only in its bot_rooms. */
  @Flag(true) all_rooms!: boolean;
  /** SHA-256 of its bearer token; null = none issued. */
  @Column('bytea', { nullable: true, unique: true }) token_hash!: Buffer | null;
  @TimeColumn({ now: true }) created!: number;
}
