import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { IdColumn, RefColumn, TimeColumn } from '../database/columns';
import { Message } from '../messages/message.entity';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';

/**
 * An uploaded file (§9). The references are SET NULL, not CASCADE: the row is the only record of
 * the file in storage, so it stays until the cleanup has removed the bytes (the triggers expire it).
 */
@Entity('files')
@Index('files_expiry_idx', ['expiry'])
@Index('files_message_idx', ['message'])
@Index('files_uploader_idx', ['uploader'])
export class StoredFile {
  @IdColumn() id!: number;
  @RefColumn({ nullable: true }) @ForeignKey(() => Room, { onDelete: 'SET NULL' }) room!: number | null;
  @RefColumn({ nullable: true }) @ForeignKey(() => User, { onDelete: 'SET NULL' }) uploader!: number | null;
  @RefColumn({ nullable: true }) @ForeignKey(() => Message, { onDelete: 'SET NULL' }) message!: number | null;
  @Column('bigint') size!: number;
  @TimeColumn({ now: true }) uploaded!: number;
  /** Null = never expires. */
  @TimeColumn({ nullable: true, default: () => "(date_part('epoch', clock_timestamp()) + (3600))" }) expiry!: number | null;
  @Column('text', { nullable: true }) filename!: string | null;
  /** The storage key (chosen by the server, never from user input). */
  @Column('text') path!: string;
}
