import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ModerationLogEntry } from './moderation-log.entity';
import { ModerationLogRepository } from './moderation-log.repository';

/** The audit log on its own, so that rooms and messages can record into it without the rest of moderation. */
@Module({
  imports: [TypeOrmModule.forFeature([ModerationLogEntry])],
  providers: [ModerationLogRepository],
  exports: [ModerationLogRepository],
})
export class ModerationLogModule {}
