import { MigrationInterface, QueryRunner } from 'typeorm';

/** Upload bytes in the database (`SOGS_FILE_STORAGE=database`), so that several instances share them. */
export class FileChunks1795903200000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
-- Chunks 0..n (at most 256 KiB each) of the file stored under "key" (files.path).
CREATE TABLE file_chunks (
    key            TEXT NOT NULL,
    chunk          INTEGER NOT NULL,
    data           BYTEA NOT NULL,
    -- On chunk 0 of an upload still arriving: when it began; NULL once the file is recorded.
    incoming_since DOUBLE PRECISION,
    PRIMARY KEY (key, chunk)
);
-- Out of line and uncompressed: uploads are mostly compressed media already (and encrypted).
ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE INDEX file_chunks_incoming_idx ON file_chunks (incoming_since) WHERE incoming_since IS NOT NULL;
`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
DROP TABLE file_chunks;
`);
  }
}
