import { Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { JsonBody, PathInt } from '../../common/request-input';
import { BotMessagesService } from '../bot-messages.service';
import { BotIdentity } from '../bots.service';
import { BotApiGuard, CurrentBot } from './bot-api.guard';
import { BotMessagesQueryDto } from './dto/bot-messages-query.dto';
import { BotReactionDto } from './dto/bot-reaction.dto';
import { PostBotMessageDto } from './dto/post-bot-message.dto';

/** The local bot API (SOGS_BOT_API_LISTEN only; see BotApiGuard). */
@Controller('bots/:name/rooms/:token')
@UseGuards(BotApiGuard)
export class BotApiController {
  constructor(private readonly messages: BotMessagesService) {}

  @Post('messages')
  @HttpCode(201)
  post(@CurrentBot() bot: BotIdentity, @Param('token') token: string, @JsonBody() body: PostBotMessageDto) {
    return this.messages.post(bot, token, body);
  }

  @Delete('messages/:msg_id')
  delete(@CurrentBot() bot: BotIdentity, @Param('token') token: string, @PathInt('msg_id') id: number) {
    return this.messages.delete(bot, token, id);
  }

  @Post('reactions')
  @HttpCode(200)
  react(@CurrentBot() bot: BotIdentity, @Param('token') token: string, @JsonBody() body: BotReactionDto) {
    return this.messages.react(bot, token, body.message, body.reaction);
  }

  @Get('messages/since/:seqno')
  since(@CurrentBot() bot: BotIdentity, @Param('token') token: string, @PathInt('seqno') seqno: number, @Query() query: BotMessagesQueryDto) {
    return this.messages.since(bot, token, seqno, query.limit);
  }
}
