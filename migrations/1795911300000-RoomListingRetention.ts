import { MigrationInterface, QueryRunner } from 'typeorm';

/** Unlisted rooms and per-room message retention (issue #16). */
export class RoomListingRetention1795911300000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
-- An unlisted room is left out of GET /rooms (but for its moderators) and the browser index; it
-- answers by token as any other room.
ALTER TABLE rooms ADD COLUMN listed BOOLEAN NOT NULL DEFAULT true;
-- How long the room's messages are kept: NULL = the server-wide SOGS_RETENTION_DAYS, 0 = forever.
ALTER TABLE rooms ADD COLUMN retention_seconds DOUBLE PRECISION
    CONSTRAINT rooms_retention_seconds_check CHECK (retention_seconds >= 0);
-- At most this many live messages, the newest by posting time; NULL = no limit.
ALTER TABLE rooms ADD COLUMN max_messages INTEGER CONSTRAINT rooms_max_messages_check CHECK (max_messages > 0);
-- The retention cleanup walks a room's live messages from the oldest (and counts them from the
-- newest) without visiting the tombstones, which only accumulate.
CREATE INDEX messages_room_live_posted_idx ON messages (room, posted, id) WHERE data IS NOT NULL;
`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
DROP INDEX messages_room_live_posted_idx;
ALTER TABLE rooms DROP COLUMN listed, DROP COLUMN retention_seconds, DROP COLUMN max_messages;
`);
  }
}
