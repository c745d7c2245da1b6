import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Facts about the server the database belongs to, recorded by the server at start: its public
 * key and its data directory, so an admin command pointed at this database with another key or
 * another data directory can tell.
 */
export class ServerSettings1795900000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
CREATE TABLE server_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
DROP TABLE server_settings;
`);
  }
}
