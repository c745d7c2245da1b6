import type { Pool } from 'pg';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Sql, Transactional } from './sql';

/**
 * Hand-written SQL on the connection pool of TypeORM's data source. A single statement goes
 * straight to the pool: a TypeORM query runner per statement (two event broadcasts, logging hooks,
 * a runner and an entity manager) cost a measurable share of a poll, which is several such
 * statements. `transaction` keeps one query runner for the work, whose manager serves the
 * repositories too.
 */
export class Db implements Transactional {
  constructor(readonly dataSource: DataSource) {}

  /** Made by TypeORM when the data source is initialised. */
  private get pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async one<T>(sql: string, params?: unknown[]): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }

  async execute(sql: string, params?: unknown[]): Promise<number> {
    return (await this.pool.query(sql, params)).rowCount ?? 0;
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      const result = await work(runnerSql(runner));
      await runner.commitTransaction();
      return result;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

async function rows<T>(runner: QueryRunner, sql: string, params?: unknown[]): Promise<T[]> {
  const result = await runner.query(sql, params as unknown[] | undefined, true);
  return (result.records ?? []) as T[];
}

async function affected(runner: QueryRunner, sql: string, params?: unknown[]): Promise<number> {
  const result = await runner.query(sql, params as unknown[] | undefined, true);
  return result.affected ?? result.records?.length ?? 0;
}

function runnerSql(runner: QueryRunner): Sql {
  return {
    query: <T>(sql: string, params?: unknown[]) => rows<T>(runner, sql, params),
    one: async <T>(sql: string, params?: unknown[]) => (await rows<T>(runner, sql, params))[0],
    execute: (sql: string, params?: unknown[]) => affected(runner, sql, params),
    manager: runner.manager,
  };
}
