import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { Db } from '../../src/database/db';
import { Migrator } from '../../src/database/migrator';
import { DataSource } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { DatabaseTarget, dataSourceOptions } from '../../src/database/data-source-options';
import { PGLITE_SOCKETS_ENV, testPostgresUrl } from './test-env';

export interface TestDatabase {
  /** The same Db class the server uses, on a fresh, fully migrated database. */
  db: Db;
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A separate plain pg pool on the same database, for tests that need raw connections. */
  pool: Pool;
  /** How another client (the CLI, a child process) reaches the same database. */
  connection: { url: string; socketDir?: string };
  /** Another server instance's data source on the same database (closed with the database). */
  dataSource(overrides?: Partial<PostgresConnectionOptions>): Promise<DataSource>;
  close(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Runs on its own connection before the migrations (to build an old database to upgrade). */
  beforeMigrations?: (client: Client) => Promise<void>;
  /** False: leave the database empty. */
  migrate?: boolean;
}

/**
 * A fresh database per test file: on PostgreSQL a new database (dropped on close); on PGlite the
 * worker's instance with its schema recreated. Call once per test file (in beforeAll).
 */
export async function openTestDatabase(opts: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const url = testPostgresUrl();
  return url ? openOnPostgres(url, opts) : openOnPglite(opts);
}

async function openOnPostgres(adminUrl: string, opts: TestDatabaseOptions): Promise<TestDatabase> {
  const name = `sogs_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const target = { url } as const;
  const handle = await finish(target, { url }, opts);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      const drop = new Client({ connectionString: adminUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}

async function openOnPglite(opts: TestDatabaseOptions): Promise<TestDatabase> {
  const sockets = (process.env[PGLITE_SOCKETS_ENV] ?? '').split(path.delimiter).filter(Boolean);
  if (!sockets.length) throw new Error('no PGlite test servers: the Jest global setup did not run');
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const socketDir = sockets[(worker - 1) % sockets.length];
  const reset = new Client({ host: socketDir, user: 'postgres', database: 'postgres' });
  await reset.connect();
  await reset.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await reset.end();
  const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`;
  return finish({ host: socketDir, username: 'postgres', database: 'postgres' }, { url, socketDir }, opts);
}

async function finish(target: DatabaseTarget, connection: TestDatabase['connection'], opts: TestDatabaseOptions): Promise<TestDatabase> {
  if (opts.beforeMigrations) {
    const client = new Client(clientConfig(target));
    await client.connect();
    try {
      await opts.beforeMigrations(client);
    } finally {
      await client.end();
    }
  }
  const dataSource = new DataSource(dataSourceOptions(target, 10));
  await dataSource.initialize();
  const db = new Db(dataSource);
  if (opts.migrate !== false) await new Migrator(dataSource).run();
  const pool = new Pool({ ...clientConfig(target), max: 10 });
  const others: DataSource[] = [];
  // Dropping the test database ends any connection a test left behind; that is not a failure.
  pool.on('error', () => undefined);
  return {
    db,
    query: (sql, params) => db.query(sql, params),
    pool,
    connection,
    dataSource: async (overrides = {}) => {
      const other = new DataSource({ ...dataSourceOptions(target, 2), ...overrides } as PostgresConnectionOptions);
      others.push(await other.initialize());
      return other;
    },
    close: async () => {
      for (const other of others) if (other.isInitialized) await other.destroy();
      await pool.end();
      await db.close();
    },
  };
}

function clientConfig(target: DatabaseTarget): { connectionString?: string; host?: string; user?: string; database?: string } {
  return target.url ? { connectionString: target.url } : { host: target.host, user: target.username, database: target.database };
}
