import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { Db } from './db';
import { DatabaseLocation, DatabaseRole, DatabaseUnavailableError, reachDatabase } from './reach-database';
import { isDatabaseUnavailable } from './unavailable';

export interface OpenedDatabase {
  db: Db;
  /** Human description without credentials, for the startup banner. */
  description: string;
  /** The embedded database of the server running on this data directory (see ReachedDatabase). */
  viaRunningServer: boolean;
  /** Stops the pool and, when this process owns it, the embedded database. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions extends DatabaseLocation {
  poolSize?: number;
  /** A server's statements and connection waits are bounded (ms, 0 = not); the CLI's are not. */
  databaseTimeoutMs?: number;
  /** A server retries a database it cannot reach for this long at start; the CLI does not wait. */
  databaseWaitSeconds?: number;
  /** Told before each wait, to log it. */
  onWait?: (attempt: number, delayMs: number, reason: string) => void;
}

/** The database reached as above, behind an initialised TypeORM data source. */
export async function openDatabase(opts: OpenDatabaseOptions, role: DatabaseRole): Promise<OpenedDatabase> {
  const reached = await reachDatabase(opts, role);
  const serving = role !== 'cli';
  const options = dataSourceOptions(reached.target, reached.poolSize ?? opts.poolSize ?? 10, serving ? (opts.databaseTimeoutMs ?? 0) : 0);
  let dataSource: DataSource;
  try {
    dataSource = await connectPatiently(() => new DataSource(options), reached.name, serving ? (opts.databaseWaitSeconds ?? 0) : 0, opts.onWait);
  } catch (err) {
    await reached.release();
    throw err;
  }
  const db = new Db(dataSource);
  return {
    db,
    description: reached.description,
    viaRunningServer: reached.viaRunningServer ?? false,
    close: async () => {
      await db.close();
      await reached.release();
    },
  };
}

/** First pause between attempts; it doubles up to the longest. */
const FIRST_DELAY_MS = 250;
const LONGEST_DELAY_MS = 5000;

/**
 * Connects, and while the database cannot be reached (down, starting, refusing connections) tries
 * again with a growing pause for up to `waitSeconds`: a server started together with its database,
 * or during a short outage, comes up once the database does. Anything else (a wrong password, a
 * missing database) fails at once.
 */
export async function connectPatiently(
  make: () => DataSource,
  what: string,
  waitSeconds: number,
  onWait?: OpenDatabaseOptions['onWait'],
): Promise<DataSource> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (let attempt = 1, delay = FIRST_DELAY_MS; ; attempt++, delay = Math.min(delay * 2, LONGEST_DELAY_MS)) {
    const dataSource = make();
    try {
      await connect(dataSource, what);
      return dataSource;
    } catch (err) {
      const cause = (err as DatabaseUnavailableError).cause;
      const left = deadline - Date.now();
      if (!isDatabaseUnavailable(cause) || left <= 0) throw err;
      const pause = Math.min(delay, left);
      onWait?.(attempt, pause, (cause as Error).message);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** Initialises the data source (`initialize`: a subclass's own) and checks that the server answers. */
export async function connect(dataSource: DataSource, what: string, initialize = () => dataSource.initialize()): Promise<void> {
  try {
    await initialize();
    await dataSource.query('SELECT 1');
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw new DatabaseUnavailableError(`cannot connect to ${what}: ${(err as Error).message}`, { cause: err });
  }
}
