import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { Db } from './db';
import { DatabaseLocation, DatabaseRole, DatabaseUnavailableError, reachDatabase } from './reach-database';

export interface OpenedDatabase {
  db: Db;
  /** Human description without credentials, for the startup banner. */
  description: string;
  /** Stops the pool and, when this process owns it, the embedded database. */
  close(): Promise<void>;
}

/** The database reached as above, behind an initialised TypeORM data source. */
export async function openDatabase(opts: DatabaseLocation & { poolSize?: number }, role: DatabaseRole): Promise<OpenedDatabase> {
  const reached = await reachDatabase(opts, role);
  const dataSource = new DataSource(dataSourceOptions(reached.target, reached.poolSize ?? opts.poolSize ?? 10));
  try {
    await connect(dataSource, reached.name);
  } catch (err) {
    await reached.release();
    throw err;
  }
  const db = new Db(dataSource);
  return {
    db,
    description: reached.description,
    close: async () => {
      await db.close();
      await reached.release();
    },
  };
}

/** Initialises the data source (`initialize`: a subclass's own) and checks that the server answers. */
export async function connect(dataSource: DataSource, what: string, initialize = () => dataSource.initialize()): Promise<void> {
  try {
    await initialize();
    await dataSource.query('SELECT 1');
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw new DatabaseUnavailableError(`cannot connect to ${what}: ${(err as Error).message}`);
  }
}
