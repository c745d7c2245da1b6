import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The invite pages' rate limit, shared by every process and instance on the database (issue #16):
 * requests per client address (a keyed hash, never the address) and 10-minute window.
 */
export class InvitePageHits1795980000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
CREATE TABLE invite_page_hits (
    address  BYTEA NOT NULL,
    "window" BIGINT NOT NULL,
    hits     INTEGER NOT NULL,
    PRIMARY KEY (address, "window")
);
`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE invite_page_hits;`);
  }
}
