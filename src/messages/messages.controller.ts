import { Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { OptionalUser, RequiredUser } from '../auth/auth-user.decorator';
import { JsonBody, PathInt } from '../common/request-input';
import { CurrentRoom, RoomAccess } from '../rooms/room-access.decorator';
import { RoomContext } from '../rooms/room-access.guard';
import { User } from '../users/user.entity';
import { EditMessageDto } from './dto/edit-message.dto';
import { MessagesPageQueryDto, MessagesSinceQueryDto, ReactorsQueryDto } from './dto/messages-query.dto';
import { PostMessageDto } from './dto/post-message.dto';
import { MessagesService } from './messages.service';

/** §1.5: reading needs `read`; posting, editing and deleting need `write` (checked before the body). */
@Controller('room/:token')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get('messages/since/:seqno')
  @RoomAccess('read')
  since(@OptionalUser() user: User | null, @CurrentRoom() room: RoomContext, @PathInt('seqno') seqno: number, @Query() query: MessagesSinceQueryDto) {
    return this.messages.since(room, user, seqno, query);
  }

  @Get('messages/recent')
  @RoomAccess('read')
  recent(@OptionalUser() user: User | null, @CurrentRoom() room: RoomContext, @Query() query: MessagesPageQueryDto) {
    return this.messages.latest(room, user, null, query);
  }

  @Get('messages/before/:msg_id')
  @RoomAccess('read')
  before(@OptionalUser() user: User | null, @CurrentRoom() room: RoomContext, @PathInt('msg_id') id: number, @Query() query: MessagesPageQueryDto) {
    return this.messages.latest(room, user, id, query);
  }

  @Get('message/:msg_id')
  @RoomAccess('read')
  get(@OptionalUser() user: User | null, @CurrentRoom() room: RoomContext, @PathInt('msg_id') id: number, @Query() query: ReactorsQueryDto) {
    return this.messages.get(room, user, id, query.reactors);
  }

  @Post('message')
  @HttpCode(201)
  @RoomAccess('write')
  post(@RequiredUser() user: User, @CurrentRoom() room: RoomContext, @JsonBody() body: PostMessageDto) {
    return this.messages.post(room, user, body);
  }

  @Put('message/:msg_id')
  @RoomAccess('write')
  edit(@RequiredUser() user: User, @CurrentRoom() room: RoomContext, @PathInt('msg_id') id: number, @JsonBody() body: EditMessageDto) {
    return this.messages.edit(room, user, id, body);
  }

  @Delete('message/:msg_id')
  @RoomAccess('write')
  delete(@RequiredUser() user: User, @CurrentRoom() room: RoomContext, @PathInt('msg_id') id: number) {
    return this.messages.delete(room, user, id);
  }
}
