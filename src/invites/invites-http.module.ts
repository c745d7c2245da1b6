import { Module } from '@nestjs/common';
import { ModerationModule } from '../moderation/moderation.module';
import { RoomsModule } from '../rooms/rooms.module';
import { InvitePageController } from './invite-page.controller';
import { InvitePagesService } from './invite-pages.service';
import { InvitePageHitsRepository } from './invite-page-hits.repository';
import { InviteRateLimiter } from './invite-rate-limit';
import { InvitesController } from './invites.controller';
import { InvitesModule } from './invites.module';

/** The moderators' invite endpoints and the browser page that redeems a code. */
@Module({
  imports: [InvitesModule, RoomsModule, ModerationModule],
  controllers: [InvitesController, InvitePageController],
  providers: [InvitePagesService, InviteRateLimiter, InvitePageHitsRepository],
})
export class InvitesHttpModule {}
