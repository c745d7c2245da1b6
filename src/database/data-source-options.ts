import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { PostgresNamingStrategy } from './postgres-naming.strategy';

/** Where the database is: a URL, or a unix socket directory (the embedded database). */
export type DatabaseTarget = Pick<PostgresConnectionOptions, 'url' | 'host' | 'username' | 'database'>;

/** The client gives up this long after PostgreSQL's own statement timeout should have fired. */
const CLIENT_TIMEOUT_MARGIN_MS = 1000;

/**
 * The one TypeORM configuration, for the server, the CLI, the tests and the `typeorm` command:
 * the entities, the migrations (never `synchronize`), PostgreSQL's own constraint names, BIGINT
 * as JavaScript numbers (ids and counters stay far below 2^53).
 */
export function dataSourceOptions(target: DatabaseTarget, poolSize = 10, timeoutMs = 0): PostgresConnectionOptions {
  return {
    type: 'postgres',
    ...target,
    parseInt8: true,
    poolSize,
    connectTimeoutMS: timeoutMs || 10_000,
    extra: { max: poolSize, ...statementTimeouts(target, timeoutMs) },
    logging: false,
    synchronize: false,
    migrationsRun: false,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    namingStrategy: new PostgresNamingStrategy(),
  };
}

/**
 * `timeoutMs` bounds every statement twice: PostgreSQL cancels one that runs too long
 * (`statement_timeout`, SQLSTATE 57014), and the driver gives up on a server that does not answer
 * at all (`query_timeout`: a frozen server or network), after which the pool discards the
 * connection. The embedded database gets only the second: its connections share one session, so a
 * setting sent by one would apply to all (the admin CLI's included).
 */
function statementTimeouts(target: DatabaseTarget, timeoutMs: number): Record<string, number> {
  if (!timeoutMs) return {};
  const client = { query_timeout: timeoutMs + CLIENT_TIMEOUT_MARGIN_MS };
  return target.url ? { ...client, statement_timeout: timeoutMs } : client;
}
