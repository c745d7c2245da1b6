import { DefaultNamingStrategy, NamingStrategyInterface, Table } from 'typeorm';

/**
 * Constraint and index names as PostgreSQL itself chooses them (`users_pkey`,
 * `users_session_id_key`, `messages_room_fkey`, `messages_room_seqno_idx`), so that the names the
 * entities imply are the names in the migrations, and a schema diff compares like with like.
 */
export class PostgresNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  override primaryKeyName(tableOrName: Table | string): string {
    return `${this.getTableName(tableOrName)}_pkey`;
  }

  override uniqueConstraintName(tableOrName: Table | string, columnNames: string[]): string {
    return `${this.getTableName(tableOrName)}_${columnNames.join('_')}_key`;
  }

  override foreignKeyName(tableOrName: Table | string, columnNames: string[]): string {
    return `${this.getTableName(tableOrName)}_${columnNames.join('_')}_fkey`;
  }

  override indexName(tableOrName: Table | string, columnNames: string[]): string {
    return `${this.getTableName(tableOrName)}_${columnNames.join('_')}_idx`;
  }
}
