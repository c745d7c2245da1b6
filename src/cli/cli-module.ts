import { Module } from '@nestjs/common';
import { FEATURE_MODULES } from '../app.module';
import { CoreModule } from '../core/core.module';
import { Runtime } from '../core/runtime';

/** The services the HTTP API uses, without the HTTP server: what admin commands run on. */
@Module({})
export class CliModule {
  static forRuntime(runtime: Runtime) {
    return { module: CliModule, imports: [CoreModule.forRuntime(runtime), ...FEATURE_MODULES] };
  }
}
