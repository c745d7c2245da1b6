import { Controller, Delete, Get, Put, Query } from '@nestjs/common';
import { RequiredUser } from '../auth/auth-user.decorator';
import { PathInt } from '../common/request-input';
import { CurrentRoom, RoomAccess } from '../rooms/room-access.decorator';
import { RoomContext } from '../rooms/room-access.guard';
import { User } from '../users/user.entity';
import { ReactorsListQueryDto } from './dto/reactors-list-query.dto';
import { ReactionPath } from './reaction-path';
import { ReactionsService } from './reactions.service';

/**
 * The reaction is the rest of the path (`*`, it may contain `/`), read by `@ReactionPath()` from
 * the raw URL and checked (400) after the room's permission; the request body is ignored (clients
 * send none, or `{}`).
 */
@Controller('room/:token')
export class ReactionsController {
  constructor(private readonly reactions: ReactionsService) {}

  @Put('reaction/:msg_id/*')
  @RoomAccess('read')
  add(@RequiredUser() user: User, @CurrentRoom() room: RoomContext, @PathInt('msg_id') id: number, @ReactionPath() reaction: string | null | undefined) {
    return this.reactions.add(room, user, id, reaction);
  }

  @Delete('reaction/:msg_id/*')
  @RoomAccess('read')
  remove(@RequiredUser() user: User, @CurrentRoom() room: RoomContext, @PathInt('msg_id') id: number, @ReactionPath() reaction: string | null | undefined) {
    return this.reactions.remove(room, user, id, reaction);
  }

  /** Without a reaction part (not even an empty one after a `/`): every reaction. */
  @Delete(['reactions/:msg_id', 'reactions/:msg_id/*'])
  @RoomAccess('moderator')
  removeAll(@RequiredUser() user: User, @CurrentRoom() room: RoomContext, @PathInt('msg_id') id: number, @ReactionPath() reaction: string | null | undefined) {
    return this.reactions.removeAll(room, user, id, reaction);
  }

  @Get('reactors/:msg_id/*')
  @RoomAccess('read')
  reactors(
    @CurrentRoom() room: RoomContext,
    @PathInt('msg_id') id: number,
    @ReactionPath() reaction: string | null | undefined,
    @Query() query: ReactorsListQueryDto,
  ) {
    return this.reactions.reactors(room, id, reaction, query.limit);
  }
}
