import { performance } from 'node:perf_hooks';
import type { Pool, QueryResult } from 'pg';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Sql, Transactional } from './sql';
import { inTransaction } from './in-transaction';

/** Distinct statement texts given a name: beyond it (statements built per call), unnamed. */
const MAX_NAMED_STATEMENTS = 500;
/** PostgreSQL's "cached plan must not change result type", after a schema change under a running server. */
const FEATURE_NOT_SUPPORTED = '0A000';

/**
 * Hand-written SQL on the connection pool of TypeORM's data source. A single statement goes
 * straight to the pool: a TypeORM query runner per statement (two event broadcasts, logging hooks,
 * a runner and an entity manager) cost a measurable share of a poll, which is several such
 * statements. `transaction` keeps one query runner for the work, whose manager serves the
 * repositories too.
 *
 * On PostgreSQL those statements are named, so each connection parses and plans a statement once
 * and then only binds and executes it. Not on the embedded database: PGlite is one session shared
 * by every connection to its socket, where one client's named statement would collide with another's.
 */
export class Db implements Transactional {
  private named?: Promise<boolean>;
  private readonly names = new Map<string, string>();
  private generation = 0;
  /** Told the duration of every statement run here, alone or in a transaction (seconds; for the metrics). */
  onStatement?: (seconds: number) => void;

  constructor(readonly dataSource: DataSource) {}

  /** The pool's connections, or undefined once it is closed. */
  poolUsage(): { total: number; idle: number; waiting: number; max: number } | undefined {
    if (!this.dataSource.isInitialized) return undefined;
    const pool = this.pool;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 };
  }

  /** Made by TypeORM when the data source is initialised. */
  private get pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return (await this.run(sql, params)).rows as T[];
  }

  async one<T>(sql: string, params?: unknown[]): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }

  async execute(sql: string, params?: unknown[]): Promise<number> {
    return (await this.run(sql, params)).rowCount ?? 0;
  }

  /** True on the embedded database (PGlite), whose one session every connection shares. */
  async isEmbedded(): Promise<boolean> {
    return !(await this.namedStatements());
  }

  private namedStatements(): Promise<boolean> {
    return (this.named ??= this.supportsNamedStatements().catch((err) => {
      this.named = undefined; // ask again once the database answers
      throw err;
    }));
  }

  private async run(text: string, values?: unknown[]): Promise<QueryResult> {
    if (!this.onStatement) return this.runNamed(text, values);
    const started = performance.now();
    try {
      return await this.runNamed(text, values);
    } finally {
      this.onStatement((performance.now() - started) / 1000);
    }
  }

  private async runNamed(text: string, values?: unknown[]): Promise<QueryResult> {
    const name = (await this.namedStatements()) ? this.nameOf(text) : undefined;
    if (!name) return this.pool.query(text, values);
    try {
      return await this.pool.query({ name, text, values });
    } catch (err) {
      if ((err as { code?: string }).code !== FEATURE_NOT_SUPPORTED) throw err;
      // The schema changed under a prepared statement: prepare every statement afresh.
      this.names.clear();
      this.generation++;
      return this.pool.query({ name: this.nameOf(text), text, values });
    }
  }

  private nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (!name && this.names.size < MAX_NAMED_STATEMENTS) {
      name = `sogs_${this.generation}_${this.names.size}`;
      this.names.set(text, name);
    }
    return name;
  }

  private async supportsNamedStatements(): Promise<boolean> {
    const { rows } = await this.pool.query<{ version: string }>('SELECT version()');
    return !rows[0].version.includes('PGlite');
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await inTransaction(runner, () => work(runnerSql(runner, this.onStatement)));
    } finally {
      await runner.release();
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

type Timer = ((seconds: number) => void) | undefined;

async function timed(runner: QueryRunner, sql: string, params: unknown[] | undefined, timer: Timer) {
  const started = timer ? performance.now() : 0;
  try {
    return await runner.query(sql, params, true);
  } finally {
    timer?.((performance.now() - started) / 1000);
  }
}

async function rows<T>(runner: QueryRunner, sql: string, params: unknown[] | undefined, timer: Timer): Promise<T[]> {
  const result = await timed(runner, sql, params, timer);
  return (result.records ?? []) as T[];
}

async function affected(runner: QueryRunner, sql: string, params: unknown[] | undefined, timer: Timer): Promise<number> {
  const result = await timed(runner, sql, params, timer);
  return result.affected ?? result.records?.length ?? 0;
}

function runnerSql(runner: QueryRunner, timer: Timer): Sql {
  return {
    query: <T>(sql: string, params?: unknown[]) => rows<T>(runner, sql, params, timer),
    one: async <T>(sql: string, params?: unknown[]) => (await rows<T>(runner, sql, params, timer))[0],
    execute: (sql: string, params?: unknown[]) => affected(runner, sql, params, timer),
    manager: runner.manager,
  };
}
