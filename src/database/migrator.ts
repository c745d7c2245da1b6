import { DataSource, MigrationExecutor, QueryRunner } from 'typeorm';
import { LEGACY_MIGRATION_NAMES } from '../../migrations';
import { inTransaction } from './in-transaction';

/** Arbitrary constant shared by every instance: only one of them migrates at a time. */
const MIGRATION_LOCK_KEY = 7_352_112_001;
/** Where databases made before the TypeORM migrations listed theirs. */
const LEGACY_TABLE = 'schema_migrations';

/** TypeORM's executor, with its migrations table made on request (for the carry-over). */
class Executor extends MigrationExecutor {
  ensureMigrationsTable(queryRunner: QueryRunner): Promise<void> {
    return this.createMigrationsTableIfNotExist(queryRunner);
  }
}

/**
 * Runs the TypeORM migrations of the data source (its `migrations` table records them) in one
 * transaction under an advisory lock, so several instances starting together migrate once and a
 * failing migration leaves the schema as it was. A database made before TypeORM migrations is
 * recognised by its `schema_migrations` table and carried over first.
 */
export class Migrator {
  constructor(private readonly dataSource: DataSource) {}

  /** Names of the migrations not applied yet, oldest first. Reads only. */
  async pending(): Promise<string[]> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const applied = new Set([...(await this.appliedNames(runner)), ...(await this.legacyNames(runner))]);
      return this.allNames().filter((n) => !applied.has(n));
    } finally {
      await runner.release();
    }
  }

  /** Applies what is pending; returns the names applied. */
  async run(): Promise<string[]> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const restoreTimeout = liftClientTimeout(await runner.connect());
      try {
        return await inTransaction(runner, async () => {
          // A migration may rewrite a large table: the server's statement timeouts do not apply.
          await runner.query('SET LOCAL statement_timeout = 0');
          await runner.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
          const executor = new Executor(this.dataSource, runner);
          executor.transaction = 'all'; // ours: the executor runs inside it and leaves it to us
          await this.carryOverLegacy(executor, runner);
          return (await executor.executePendingMigrations()).map((m) => m.name);
        });
      } finally {
        restoreTimeout();
      }
    } finally {
      await runner.release();
    }
  }

  /** Records the legacy list as TypeORM migrations and drops it. */
  private async carryOverLegacy(executor: Executor, runner: QueryRunner): Promise<void> {
    if (!(await runner.hasTable(LEGACY_TABLE))) return;
    const legacy = new Set(await this.legacyNames(runner));
    await executor.ensureMigrationsTable(runner);
    const applied = new Set(await this.appliedNames(runner));
    for (const migration of await executor.getAllMigrations()) {
      if (legacy.has(migration.name) && !applied.has(migration.name)) await executor.insertMigration(migration);
    }
    await runner.query(`DROP TABLE ${LEGACY_TABLE}`);
  }

  private allNames(): string[] {
    return this.dataSource.migrations.map((m) => m.name ?? m.constructor.name);
  }

  private async appliedNames(runner: QueryRunner): Promise<string[]> {
    const table = this.dataSource.options.migrationsTableName ?? 'migrations';
    if (!(await runner.hasTable(table))) return [];
    return ((await runner.query(`SELECT name FROM "${table}"`)) as Array<{ name: string }>).map((r) => r.name);
  }

  /** The TypeORM names of what a pre-TypeORM database applied. */
  private async legacyNames(runner: QueryRunner): Promise<string[]> {
    if (!(await runner.hasTable(LEGACY_TABLE))) return [];
    const rows = (await runner.query(`SELECT name FROM ${LEGACY_TABLE}`)) as Array<{ name: string }>;
    return rows.map((r) => {
      const name = LEGACY_MIGRATION_NAMES[r.name];
      if (!name) throw new Error(`${LEGACY_TABLE} lists ${r.name}, which this version does not know; upgrade the server first`);
      return name;
    });
  }
}

/**
 * The driver's own deadline for an answer (`query_timeout`, set for a server's pool) is a setting
 * of the connection: lifted while this connection migrates, restored before it returns to the pool.
 */
function liftClientTimeout(connection: unknown): () => void {
  const params = (connection as { connectionParameters?: { query_timeout?: number | false } }).connectionParameters;
  if (!params?.query_timeout) return () => undefined;
  const saved = params.query_timeout;
  params.query_timeout = false;
  return () => {
    params.query_timeout = saved;
  };
}
