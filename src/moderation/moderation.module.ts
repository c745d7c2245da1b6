import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { ModerationRepository } from './moderation.repository';
import { ModerationService } from './moderation.service';
import { PermissionsService } from './permissions.service';

@Module({
  imports: [UsersModule],
  providers: [ModerationRepository, ModerationService, PermissionsService],
  exports: [ModerationService, PermissionsService],
})
export class ModerationModule {}
