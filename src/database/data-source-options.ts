import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { PostgresNamingStrategy } from './postgres-naming.strategy';

/** Where the database is: a URL, or a unix socket directory (the embedded database). */
export type DatabaseTarget = Pick<PostgresConnectionOptions, 'url' | 'host' | 'username' | 'database'>;

/**
 * The one TypeORM configuration, for the server, the CLI, the tests and the `typeorm` command:
 * the entities, the migrations (never `synchronize`), PostgreSQL's own constraint names, BIGINT
 * as JavaScript numbers (ids and counters stay far below 2^53).
 */
export function dataSourceOptions(target: DatabaseTarget, poolSize = 10): PostgresConnectionOptions {
  return {
    type: 'postgres',
    ...target,
    parseInt8: true,
    poolSize,
    connectTimeoutMS: 10_000,
    extra: { max: poolSize },
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
