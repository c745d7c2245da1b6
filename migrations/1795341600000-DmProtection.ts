import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-room switch refusing direct messages from users banned where they meet the recipient. */
export class DmProtection1795341600000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
-- Per-room switch: refuse direct messages from a user banned in every room they share with the
-- recipient, when one of those rooms has it on (the server-wide setting covers all rooms).
ALTER TABLE rooms ADD COLUMN dm_refuse_banned BOOLEAN NOT NULL DEFAULT false;
`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
ALTER TABLE rooms DROP COLUMN dm_refuse_banned;
`);
  }
}
