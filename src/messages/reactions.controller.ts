import { Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { OptionalUser, RequiredUser } from '../auth/auth-user.decorator';
import { clampedQueryInt, pathInt } from '../common/request-input';
import { User } from '../users/user';
import { ReactionPath } from './reaction-path';
import { ReactionsService } from './reactions.service';

/**
 * The reaction is the rest of the path (`*`, it may contain `/`), read by `@ReactionPath()` from
 * the raw URL; the request body is ignored (clients send none, or `{}`).
 */
@Controller('room/:token')
export class ReactionsController {
  constructor(private readonly reactions: ReactionsService) {}

  @Put('reaction/:msg_id/*')
  add(@RequiredUser() user: User, @Param('token') token: string, @Param('msg_id') id: string, @ReactionPath() reaction: string | null | undefined) {
    return this.reactions.add(token, user, pathInt(id), reaction);
  }

  @Delete('reaction/:msg_id/*')
  remove(@RequiredUser() user: User, @Param('token') token: string, @Param('msg_id') id: string, @ReactionPath() reaction: string | null | undefined) {
    return this.reactions.remove(token, user, pathInt(id), reaction);
  }

  /** Without a reaction part (not even an empty one after a `/`): every reaction. */
  @Delete(['reactions/:msg_id', 'reactions/:msg_id/*'])
  removeAll(@RequiredUser() user: User, @Param('token') token: string, @Param('msg_id') id: string, @ReactionPath() reaction: string | null | undefined) {
    return this.reactions.removeAll(token, user, pathInt(id), reaction);
  }

  @Get('reactors/:msg_id/*')
  reactors(
    @OptionalUser() user: User | null,
    @Param('token') token: string,
    @Param('msg_id') id: string,
    @ReactionPath() reaction: string | null | undefined,
    @Query('limit') limit: unknown,
  ) {
    // 0 or less (the default) = everyone.
    return this.reactions.reactors(token, user, pathInt(id), reaction, clampedQueryInt(limit, 0, 0, Number.MAX_SAFE_INTEGER, 'limit'));
  }
}
