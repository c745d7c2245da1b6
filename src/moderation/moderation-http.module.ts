import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { ModerationApiService } from './moderation-api.service';
import { ModerationController } from './moderation.controller';
import { ModerationModule } from './moderation.module';
import { ModeratorToolsController } from './moderator-tools.controller';
import { ModeratorToolsService } from './moderator-tools.service';

/** The moderation endpoints (§1.7) and the moderator tools; kept apart from ModerationModule, which the CLI loads. */
@Module({
  imports: [ModerationModule, RoomsModule, UsersModule, MessagesModule],
  controllers: [ModerationController, ModeratorToolsController],
  providers: [ModerationApiService, ModeratorToolsService],
})
export class ModerationHttpModule {}
