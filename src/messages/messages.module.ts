import { Module } from '@nestjs/common';
import { ModerationModule } from '../moderation/moderation.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { MessagesController } from './messages.controller';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';
import { ReactionsController } from './reactions.controller';
import { ReactionsRepository } from './reactions.repository';
import { ReactionsService } from './reactions.service';

@Module({
  imports: [RoomsModule, ModerationModule, UsersModule],
  controllers: [MessagesController, ReactionsController],
  providers: [MessagesRepository, MessagesService, ReactionsRepository, ReactionsService],
  exports: [MessagesService],
})
export class MessagesModule {}
