import { Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BlindedUser, RequiredUser } from '../auth/auth-user.decorator';
import { clampedQueryInt, JsonObjectBody, pathInt } from '../common/request-input';
import { User } from '../users/user';
import { DmService } from './dm.service';

const limit = (v: unknown) => clampedQueryInt(v, 100, 1, 256, 'limit');

@Controller()
export class DmController {
  constructor(private readonly dms: DmService) {}

  @Post('inbox/:sid')
  @HttpCode(201)
  send(@RequiredUser() user: User, @Param('sid') sid: string, @JsonObjectBody() body: Record<string, unknown>) {
    return this.dms.send(user, sid, body);
  }

  @Get('inbox')
  inbox(@BlindedUser() user: User, @Query('limit') l: unknown) {
    return this.dms.list(user, 'inbox', 0, limit(l));
  }

  @Get('outbox')
  outbox(@BlindedUser() user: User, @Query('limit') l: unknown) {
    return this.dms.list(user, 'outbox', 0, limit(l));
  }

  @Get('inbox/since/:id')
  inboxSince(@BlindedUser() user: User, @Param('id') id: string, @Query('limit') l: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.since(user, 'inbox', id, l, reply);
  }

  @Get('outbox/since/:id')
  outboxSince(@BlindedUser() user: User, @Param('id') id: string, @Query('limit') l: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.since(user, 'outbox', id, l, reply);
  }

  @Delete('inbox')
  async clear(@BlindedUser() user: User) {
    return { deleted: await this.dms.deleteInbox(user) };
  }

  /** Nothing newer: 304 with an empty body, as clients poll these every few seconds. */
  private async since(user: User, box: 'inbox' | 'outbox', id: string, l: unknown, reply: FastifyReply) {
    const messages = await this.dms.list(user, box, pathInt(id), limit(l));
    if (messages.length) return messages;
    reply.status(304);
    return undefined;
  }
}
