import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { MetricsController } from './metrics.controller';

/** The main port's `/metrics`: there only when a bearer token is configured. */
@Module({})
export class MetricsHttpModule {
  static forConfig(config: AppConfig): DynamicModule {
    return { module: MetricsHttpModule, controllers: config.metrics.token ? [MetricsController] : [] };
  }
}
