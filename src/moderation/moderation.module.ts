import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig, CONFIG } from '../config/config';
import { ModerationLogRepository } from './moderation-log.repository';
import { CleanupService } from '../jobs/cleanup.service';
import { UsersModule } from '../users/users.module';
import { BanFuture } from './ban-future.entity';
import { ContentFilterService } from './filters/content-filter.service';
import { FilteredPosts } from './filters/filtered-posts';
import { ModerationLogModule } from './moderation-log.module';
import { ModerationRepository } from './moderation.repository';
import { ModerationService } from './moderation.service';
import { PermissionFuture } from './permission-future.entity';
import { PermissionOverride } from './permission-override.entity';
import { PermissionsService } from './permissions.service';

@Module({
  imports: [TypeOrmModule.forFeature([PermissionOverride, PermissionFuture, BanFuture]), UsersModule, ModerationLogModule],
  providers: [ModerationRepository, ModerationService, PermissionsService, ContentFilterService, FilteredPosts],
  exports: [ModerationService, PermissionsService, ModerationRepository, ContentFilterService, FilteredPosts, ModerationLogModule],
})
export class ModerationModule implements OnModuleInit {
  constructor(
    private readonly cleanup: CleanupService,
    private readonly moderation: ModerationService,
    private readonly log: ModerationLogRepository,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.cleanup.register('scheduled permission changes and bans', (tx, now) => this.moderation.applyDueChanges(tx, now));
    const keep = this.config.moderationLogRetention;
    if (keep) this.cleanup.register('moderation log', (tx, now) => this.log.prune(now - keep, tx));
  }
}
