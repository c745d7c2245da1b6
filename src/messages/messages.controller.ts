import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { OptionalUser, RequiredUser } from '../auth/auth-user.decorator';
import { BadRequest } from '../common/errors';
import { clampedQueryInt, JsonObjectBody, pathInt } from '../common/request-input';
import { User } from '../users/user';
import { MessagesService, PageOptions } from './messages.service';

const reactorsParam = (v: unknown) => clampedQueryInt(v, 4, 0, 20, 'reactors');
const page = (limit: unknown, reactors: unknown): PageOptions => ({
  limit: clampedQueryInt(limit, 100, 1, 256, 'limit'),
  reactors: reactorsParam(reactors),
});

/** `t` is a string of flags: `r` asks for reaction-only updates; other letters mean nothing yet. */
function flags(t: unknown): string {
  if (t === undefined) return '';
  if (typeof t !== 'string') throw new BadRequest('Invalid t');
  return t;
}

@Controller('room/:token')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get('messages/since/:seqno')
  since(
    @OptionalUser() user: User | null,
    @Param('token') token: string,
    @Param('seqno') seqno: string,
    @Query('limit') limit: unknown,
    @Query('reactors') reactors: unknown,
    @Query('t') t: unknown,
  ) {
    return this.messages.since(token, user, pathInt(seqno), flags(t).includes('r'), page(limit, reactors));
  }

  @Get('messages/recent')
  recent(@OptionalUser() user: User | null, @Param('token') token: string, @Query('limit') limit: unknown, @Query('reactors') reactors: unknown) {
    return this.messages.latest(token, user, null, page(limit, reactors));
  }

  @Get('messages/before/:msg_id')
  before(
    @OptionalUser() user: User | null,
    @Param('token') token: string,
    @Param('msg_id') id: string,
    @Query('limit') limit: unknown,
    @Query('reactors') reactors: unknown,
  ) {
    return this.messages.latest(token, user, pathInt(id), page(limit, reactors));
  }

  @Get('message/:msg_id')
  get(@OptionalUser() user: User | null, @Param('token') token: string, @Param('msg_id') id: string, @Query('reactors') reactors: unknown) {
    return this.messages.get(token, user, pathInt(id), reactorsParam(reactors));
  }

  @Post('message')
  @HttpCode(201)
  post(@RequiredUser() user: User, @Param('token') token: string, @JsonObjectBody() body: Record<string, unknown>) {
    return this.messages.post(token, user, body);
  }

  @Put('message/:msg_id')
  edit(@RequiredUser() user: User, @Param('token') token: string, @Param('msg_id') id: string, @JsonObjectBody() body: Record<string, unknown>) {
    return this.messages.edit(token, user, pathInt(id), body);
  }

  @Delete('message/:msg_id')
  delete(@RequiredUser() user: User, @Param('token') token: string, @Param('msg_id') id: string) {
    return this.messages.delete(token, user, pathInt(id));
  }
}
