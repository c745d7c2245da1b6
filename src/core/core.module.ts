import { DynamicModule, Global, Module } from '@nestjs/common';
import { CONFIG } from '../config/config';
import { Clock } from '../common/clock';
import { DatabaseModule } from '../database/database.module';
import { ServerKey } from '../keys/server-key';
import { LOGGER } from '../logging/logger';
import { Metrics } from '../metrics/metrics';
import { Runtime } from './runtime';

/**
 * Makes the runtime (config, database, key, logger, clock) injectable everywhere, with the
 * process's metrics (the database's pool and statements are measured from here on).
 */
@Global()
@Module({})
export class CoreModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    const providers = [
      { provide: CONFIG, useValue: runtime.config },
      { provide: ServerKey, useValue: runtime.serverKey },
      { provide: LOGGER, useValue: runtime.log },
      { provide: Clock, useValue: runtime.clock },
      { provide: Metrics, useFactory: () => metricsOf(runtime) },
    ];
    return {
      module: CoreModule,
      imports: [DatabaseModule.forRuntime(runtime.db)],
      providers,
      exports: [...providers.map((p) => p.provide), DatabaseModule],
    };
  }
}

/** This process's series, measuring the database's pool and statements. */
function metricsOf(runtime: Runtime): Metrics {
  const metrics = new Metrics();
  metrics.watchPool(() => runtime.db.poolUsage());
  runtime.db.onStatement = (seconds) => metrics.querySeconds.observe(seconds);
  return metrics;
}
