import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Db } from './db';

/**
 * The database the runtime opened (and migrated) before Nest started, registered with
 * `@nestjs/typeorm` so that feature modules get repositories through `TypeOrmModule.forFeature`,
 * and as `Db` for hand-written SQL. Nest destroys the data source when the application closes.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRuntime(db: Db): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => db.dataSource.options,
          dataSourceFactory: async () => db.dataSource,
        }),
      ],
      providers: [{ provide: Db, useValue: db }],
      exports: [Db],
    };
  }
}
