import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-room content filter settings (§7.8). */
export class RoomContentFilters1795377600000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
-- Per-room content filter settings (§7.8); NULL = follow the server-wide setting.
ALTER TABLE rooms ADD COLUMN profanity_filter BOOLEAN;
ALTER TABLE rooms ADD COLUMN profanity_silent BOOLEAN;
-- Names from persian, arabic, cyrillic; an empty array turns the alphabet filters off in the room.
ALTER TABLE rooms ADD COLUMN alphabet_filters TEXT[];
ALTER TABLE rooms ADD COLUMN alphabet_silent BOOLEAN;
`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
ALTER TABLE rooms DROP COLUMN profanity_filter, DROP COLUMN profanity_silent, DROP COLUMN alphabet_filters, DROP COLUMN alphabet_silent;
`);
  }
}
