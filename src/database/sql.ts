import type { EntityManager, ObjectLiteral, Repository } from 'typeorm';

/**
 * What every repository works through, inside or outside a transaction: hand-written SQL
 * (parameterised) and, for the same connection, TypeORM's entity manager.
 */
export interface Sql {
  /** Rows of a statement (SELECT, or anything with RETURNING). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The first row, or undefined. */
  one<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T | undefined>;
  /** Number of rows a statement touched. */
  execute(sql: string, params?: unknown[]): Promise<number>;
  /** Repositories and query builders on the same connection (the transaction's, inside one). */
  readonly manager: EntityManager;
}

export interface Transactional extends Sql {
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

/** `repository` on the connection of `sql`: the transaction's inside one, else the pool's. */
export function on<T extends ObjectLiteral>(repository: Repository<T>, sql?: Sql): Repository<T> {
  return sql && sql.manager !== repository.manager ? sql.manager.withRepository(repository) : repository;
}
