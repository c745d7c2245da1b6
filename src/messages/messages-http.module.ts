import { Module } from '@nestjs/common';
import { MessagesController } from './messages.controller';
import { MessagesModule } from './messages.module';
import { ReactionsController } from './reactions.controller';

/** The message and reaction endpoints (§1.5). */
@Module({
  imports: [MessagesModule],
  controllers: [MessagesController, ReactionsController],
})
export class MessagesHttpModule {}
