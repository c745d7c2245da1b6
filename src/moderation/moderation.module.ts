import { Module, OnModuleInit } from '@nestjs/common';
import { CleanupService } from '../jobs/cleanup.service';
import { UsersModule } from '../users/users.module';
import { ContentFilterService } from './filters/content-filter.service';
import { ModerationRepository } from './moderation.repository';
import { ModerationService } from './moderation.service';
import { PermissionsService } from './permissions.service';

@Module({
  imports: [UsersModule],
  providers: [ModerationRepository, ModerationService, PermissionsService, ContentFilterService],
  exports: [ModerationService, PermissionsService, ModerationRepository, ContentFilterService],
})
export class ModerationModule implements OnModuleInit {
  constructor(
    private readonly cleanup: CleanupService,
    private readonly moderation: ModerationService,
  ) {}

  onModuleInit(): void {
    this.cleanup.register('scheduled permission changes and bans', (tx, now) => this.moderation.applyDueChanges(tx, now));
  }
}
