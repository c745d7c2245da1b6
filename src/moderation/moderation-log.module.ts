import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ModerationLogEntry } from './moderation-log.entity';
import { ModerationLogRepository } from './moderation-log.repository';
import { WebhooksModule } from '../webhooks/webhooks.module';

/**
 * The audit log on its own, so that rooms and messages can record into it without the rest of
 * moderation. Each entry is also a webhook event (moderation, or room changes).
 */
@Module({
  imports: [TypeOrmModule.forFeature([ModerationLogEntry]), WebhooksModule],
  providers: [ModerationLogRepository],
  exports: [ModerationLogRepository],
})
export class ModerationLogModule {}
