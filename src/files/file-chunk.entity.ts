import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimeColumn } from '../database/columns';

/**
 * Upload bytes kept in the database itself (`SOGS_FILE_STORAGE=database`): each stored file is
 * chunks 0…n of at most 256 KiB under its storage key (`files.path`); an empty file is one empty
 * chunk. No foreign key to `files`: the chunks are written while the upload arrives, before its row.
 */
@Entity('file_chunks')
@Index('file_chunks_incoming_idx', ['incoming_since'], { where: 'incoming_since IS NOT NULL' })
export class FileChunk {
  @PrimaryColumn('text') key!: string;
  @PrimaryColumn('integer') chunk!: number;
  @Column('bytea') data!: Buffer;
  /**
   * On chunk 0 while the upload is still arriving: when it began. Cleared in the transaction that
   * records the file; the cleanup removes uploads that stay incoming for long (a crash mid-upload).
   */
  @TimeColumn({ nullable: true }) incoming_since!: number | null;
}
