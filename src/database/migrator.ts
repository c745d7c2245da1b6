import * as fs from 'node:fs';
import * as path from 'node:path';
import { Db } from './db';
import { packageRoot } from '../common/package-root';

/** Arbitrary constant shared by every instance: only one of them migrates at a time. */
const MIGRATION_LOCK_KEY = 7_352_112_001;
const MIGRATION_FILE = /^(\d{14})_[a-z0-9_]+\.sql$/;

export interface Migration {
  name: string;
  sql: string;
}

export function migrationsDir(): string {
  return path.join(packageRoot(), 'migrations');
}

/** The migration files, oldest first: `YYYYMMDDHHMMSS_what.sql`, plain SQL. */
export function loadMigrations(dir = migrationsDir()): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => MIGRATION_FILE.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.sql$/, ''), sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

export class Migrator {
  constructor(
    private readonly db: Db,
    private readonly migrations: Migration[] = loadMigrations(),
  ) {}

  async pending(): Promise<string[]> {
    const exists = await this.db.one<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
    const applied = new Set(
      exists?.t ? (await this.db.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name) : [],
    );
    return this.migrations.map((m) => m.name).filter((n) => !applied.has(n));
  }

  /**
   * Applies every pending migration in one transaction under an advisory lock, so several instances
   * starting together migrate once and a failing migration leaves the schema as it was.
   */
  async run(): Promise<string[]> {
    return this.db.withRunner(async (runner) => {
      await runner.startTransaction();
      try {
        await runner.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        await runner.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)',
        );
        const applied = new Set(
          ((await runner.query('SELECT name FROM schema_migrations')) as { name: string }[]).map((r) => r.name),
        );
        const done: string[] = [];
        for (const m of this.migrations) {
          if (applied.has(m.name)) continue;
          try {
            await runner.query(m.sql);
          } catch (err) {
            throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
          }
          await runner.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [m.name, Date.now() / 1000]);
          done.push(m.name);
        }
        await runner.commitTransaction();
        return done;
      } catch (err) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    });
  }
}
