import { Module } from '@nestjs/common';
import { ModerationLogRepository } from './moderation-log.repository';

/** The audit log on its own, so that rooms and messages can record into it without the rest of moderation. */
@Module({
  providers: [ModerationLogRepository],
  exports: [ModerationLogRepository],
})
export class ModerationLogModule {}
