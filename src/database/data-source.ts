/**
 * The data source for TypeORM's own command line, e.g.
 *   npm run build && npx typeorm migration:show -d dist/src/database/data-source.js
 * It reaches the database the way the admin CLI does (DATABASE_URL, else the embedded database:
 * through the running server's socket, or opened here while no server runs), and `migration:run`
 * goes through the server's migrator (advisory lock, carry-over of pre-TypeORM databases).
 */
import 'reflect-metadata';
import { DataSource, Migration, MigrationExecutor } from 'typeorm';
import { loadConfig, loadEnvFile } from '../config/config';
import { dataSourceOptions } from './data-source-options';
import { Migrator } from './migrator';
import { connect } from './open-database';
import { DatabaseLocation, databaseTarget, reachDatabase, ReachedDatabase } from './reach-database';

export class CommandLineDataSource extends DataSource {
  private reached?: ReachedDatabase;

  constructor(private readonly location: DatabaseLocation) {
    super(dataSourceOptions(databaseTarget(location), 2));
  }

  override async initialize(): Promise<this> {
    this.reached = await reachDatabase(this.location, 'cli');
    try {
      await connect(this, this.reached.name, () => super.initialize());
    } catch (err) {
      await this.release();
      throw err;
    }
    return this;
  }

  override async destroy(): Promise<void> {
    try {
      if (this.isInitialized) await super.destroy();
    } finally {
      await this.release();
    }
  }

  override async runMigrations(options?: Parameters<DataSource['runMigrations']>[0]): Promise<Migration[]> {
    if (options?.fake) return super.runMigrations(options);
    const applied = new Set(await new Migrator(this).run());
    return (await new MigrationExecutor(this).getAllMigrations()).filter((m) => applied.has(m.name));
  }

  private async release(): Promise<void> {
    const reached = this.reached;
    this.reached = undefined;
    await reached?.release();
  }
}

loadEnvFile();
export default new CommandLineDataSource(loadConfig());
