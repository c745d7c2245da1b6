import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { BotsModule } from '../bots.module';
import { BotApiController } from './bot-api.controller';
import { BotApiGuard } from './bot-api.guard';
import { BotApiListener } from './bot-api-listener';

/** The local bot API: its routes and listener exist only when SOGS_BOT_API_LISTEN is set. */
@Module({})
export class BotsHttpModule {
  static forConfig(config: AppConfig): DynamicModule {
    if (!config.botApi.listen) return { module: BotsHttpModule };
    return { module: BotsHttpModule, imports: [BotsModule], controllers: [BotApiController], providers: [BotApiGuard, BotApiListener], exports: [BotApiListener] };
  }
}
