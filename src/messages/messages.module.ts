import { Module } from '@nestjs/common';
import { ModerationModule } from '../moderation/moderation.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';
import { ReactionsRepository } from './reactions.repository';
import { ReactionsService } from './reactions.service';

/** Messages and reactions without their endpoints: the admin CLI loads this one. */
@Module({
  imports: [RoomsModule, ModerationModule, UsersModule],
  providers: [MessagesRepository, MessagesService, ReactionsRepository, ReactionsService],
  exports: [MessagesService, ReactionsService],
})
export class MessagesModule {}
