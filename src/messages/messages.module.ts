import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ModerationModule } from '../moderation/moderation.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { MessageHistory } from './message-history.entity';
import { Message } from './message.entity';
import { MessagesRepository } from './messages.repository';
import { Reaction } from './reaction.entity';
import { MessagesService } from './messages.service';
import { ReactionsRepository } from './reactions.repository';
import { ReactionsService } from './reactions.service';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';
import { UserReaction } from './user-reaction.entity';
import { WebhooksModule } from '../webhooks/webhooks.module';

/** Messages and reactions without their endpoints: the admin CLI loads this one. */
@Module({
  imports: [TypeOrmModule.forFeature([Message, MessageHistory, Reaction, UserReaction]), RoomsModule, ModerationModule, UsersModule, WebhooksModule],
  providers: [MessagesRepository, MessagesService, ReactionsRepository, ReactionsService, RetentionRepository, RetentionService],
  exports: [MessagesService, ReactionsService, RetentionService],
})
export class MessagesModule {}
