import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import { Flag, IdColumn, OptionalFlag, RefColumn, TimeColumn } from '../database/columns';
import { StoredFile } from '../files/stored-file.entity';

/** A room (§6), with its counters (kept by triggers), default permissions and per-room settings. */
@Entity('rooms')
@Check('rooms_token_format', `token ~ '^[A-Za-z0-9_-]{1,64}$'`)
@Check('rooms_retention_seconds_check', `retention_seconds >= 0`)
@Check('rooms_max_messages_check', `max_messages > 0`)
// Tokens are unique ignoring case (an expression index, written in the migration).
@Index('rooms_token_lower_key', { synchronize: false })
export class Room {
  @IdColumn() id!: number;
  @Column('text') token!: string;
  @Column('text') name!: string;
  @Column('text', { nullable: true }) description!: string | null;
  @RefColumn({ nullable: true }) @ForeignKey(() => StoredFile, { onDelete: 'SET NULL' }) image!: number | null;
  @TimeColumn({ now: true }) created!: number;
  @Column('bigint', { default: 0 }) message_sequence!: number;
  /** Starts at 1 so that a client polling pollInfo/0 receives the room details. */
  @Column('bigint', { default: 1 }) info_updates!: number;
  @Column('bigint', { default: 0 }) active_users!: number;
  @Flag(true) read!: boolean;
  @Flag(true) accessible!: boolean;
  @Flag(true) write!: boolean;
  @Flag(true) upload!: boolean;
  /** Refuse DMs from users banned here (and everywhere else they meet the recipient). */
  @Flag(false) dm_refuse_banned!: boolean;
  /** Content filter settings of this room (§7.8); null = the server-wide setting. */
  @OptionalFlag() profanity_filter!: boolean | null;
  @OptionalFlag() profanity_silent!: boolean | null;
  /** Names from persian, arabic, cyrillic; an empty array turns the alphabet filters off here. */
  @Column('text', { array: true, nullable: true }) alphabet_filters!: string[] | null;
  @OptionalFlag() alphabet_silent!: boolean | null;
  /** Whispered by the `welcome` bot to each user on their first poll or post here; null = none. */
  @Column('text', { nullable: true }) welcome!: string | null;
  /** The filter bot's reply to a filtered post here (§7.8): null = SOGS_FILTER_REPLY, '' = none. */
  @Column('text', { nullable: true }) filter_reply!: string | null;
  /** False: left out of GET /rooms (but for its moderators) and the browser index; joinable by token. */
  @Flag(true) listed!: boolean;
  /** Seconds its messages are kept: null = the server-wide setting, 0 = forever (see RetentionService). */
  @Column('double precision', { nullable: true }) retention_seconds!: number | null;
  /** At most this many live messages, the newest by posting time; null = no limit. */
  @Column('integer', { nullable: true }) max_messages!: number | null;
}
