import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The content filters' auto-reply (§7.8, issue #17): a room's own reply text (NULL = the server's
 * SOGS_FILTER_REPLY, '' = none here), and when each user was last answered in each room, so the
 * filter bot answers a user at most once a minute per room whichever instance they reach.
 */
export class FilterReplies1795950000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
ALTER TABLE rooms ADD COLUMN filter_reply TEXT;
CREATE TABLE filter_replies (
    room   BIGINT NOT NULL REFERENCES rooms ON DELETE CASCADE,
    "user" BIGINT NOT NULL REFERENCES users ON DELETE CASCADE,
    at     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (room, "user")
);
`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
DROP TABLE filter_replies;
ALTER TABLE rooms DROP COLUMN filter_reply;
`);
  }
}
