import { Module } from '@nestjs/common';
import { ModerationModule } from '../moderation/moderation.module';
import { RoomsModule } from '../rooms/rooms.module';
import { MessagesController } from './messages.controller';
import { MessagesModule } from './messages.module';
import { ReactionsController } from './reactions.controller';

/** The message and reaction endpoints (§1.5); rooms and permissions for their RoomAccessGuard. */
@Module({
  imports: [MessagesModule, RoomsModule, ModerationModule],
  controllers: [MessagesController, ReactionsController],
})
export class MessagesHttpModule {}
