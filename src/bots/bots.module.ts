import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagesModule } from '../messages/messages.module';
import { ModerationModule } from '../moderation/moderation.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { BotMessagesService } from './bot-messages.service';
import { BotRoom } from './bot-room.entity';
import { Bot } from './bot.entity';
import { BotsRepository } from './bots.repository';
import { BotsService } from './bots.service';
import { FilterReply } from './filter-reply.entity';
import { FilterRepliesRepository } from './filter-replies.repository';
import { FilterReplyService } from './filter-reply.service';
import { RoomWelcome } from './room-welcome.entity';
import { RoomWelcomesRepository } from './room-welcomes.repository';
import { WelcomeService } from './welcome.service';

/** Bots without their API listener: the admin CLI loads this one too. */
@Module({
  imports: [TypeOrmModule.forFeature([Bot, BotRoom, RoomWelcome, FilterReply]), UsersModule, RoomsModule, ModerationModule, MessagesModule],
  providers: [BotsRepository, BotsService, BotMessagesService, RoomWelcomesRepository, WelcomeService, FilterRepliesRepository, FilterReplyService],
  exports: [BotsService, BotMessagesService, WelcomeService],
})
export class BotsModule {}
