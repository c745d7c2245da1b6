import { Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BlindedUser, RequiredUser } from '../auth/auth-user.decorator';
import { JsonBody, PathInt } from '../common/request-input';
import { User } from '../users/user.entity';
import { DirectMessagesQueryDto } from './dto/direct-messages-query.dto';
import { SendDirectMessageDto } from './dto/send-direct-message.dto';
import { DirectMessage, DmService } from './dm.service';

@Controller()
export class DmController {
  constructor(private readonly dms: DmService) {}

  /** Any signing user may send; the recipient (a blinded id) must be a known user (else 404). */
  @Post('inbox/:sid')
  @HttpCode(201)
  send(@RequiredUser() user: User, @Param('sid') sid: string, @JsonBody() body: SendDirectMessageDto) {
    return this.dms.send(user, sid, body);
  }

  @Get('inbox')
  inbox(@BlindedUser() user: User, @Query() query: DirectMessagesQueryDto) {
    return this.dms.list(user, 'inbox', 0, query.limit);
  }

  @Get('outbox')
  outbox(@BlindedUser() user: User, @Query() query: DirectMessagesQueryDto) {
    return this.dms.list(user, 'outbox', 0, query.limit);
  }

  @Get('inbox/since/:id')
  async inboxSince(
    @BlindedUser() user: User,
    @PathInt('id') id: number,
    @Query() query: DirectMessagesQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return notModifiedIfEmpty(reply, await this.dms.list(user, 'inbox', id, query.limit));
  }

  @Get('outbox/since/:id')
  async outboxSince(
    @BlindedUser() user: User,
    @PathInt('id') id: number,
    @Query() query: DirectMessagesQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return notModifiedIfEmpty(reply, await this.dms.list(user, 'outbox', id, query.limit));
  }

  @Delete('inbox')
  async clear(@BlindedUser() user: User) {
    return { deleted: await this.dms.deleteInbox(user) };
  }
}

/** Nothing newer: 304 with an empty body, as clients poll these every few seconds. */
function notModifiedIfEmpty(reply: FastifyReply, messages: DirectMessage[]): DirectMessage[] | undefined {
  if (messages.length) return messages;
  reply.status(304);
  return undefined;
}
