import { Controller, Get, Query } from '@nestjs/common';
import { Authenticated, RequiredUser } from '../auth/auth-user.decorator';
import { CurrentRoom, RoomAccess } from '../rooms/room-access.decorator';
import { RoomContext } from '../rooms/room-access.guard';
import { User } from '../users/user.entity';
import { ActiveUsersQueryDto } from './dto/active-users-query.dto';
import { ModerationLogQueryDto } from './dto/moderation-log-query.dto';
import { ModeratorToolsService } from './moderator-tools.service';

/** Moderator-only listings: staff, bans, active users and the audit log. */
@Controller()
export class ModeratorToolsController {
  constructor(private readonly tools: ModeratorToolsService) {}

  @Get('room/:token/moderators')
  @Authenticated()
  @RoomAccess('moderator')
  moderators(@CurrentRoom() room: RoomContext) {
    return this.tools.moderators(room);
  }

  @Get('room/:token/bans')
  @Authenticated()
  @RoomAccess('moderator')
  roomBans(@CurrentRoom() room: RoomContext) {
    return this.tools.roomBans(room);
  }

  @Get('room/:token/users')
  @Authenticated()
  @RoomAccess('moderator')
  users(@CurrentRoom() room: RoomContext, @Query() query: ActiveUsersQueryDto) {
    return this.tools.activeUsers(room, query);
  }

  @Get('room/:token/moderation/log')
  @Authenticated()
  @RoomAccess('moderator')
  roomLog(@CurrentRoom() room: RoomContext, @Query() query: ModerationLogQueryDto) {
    return this.tools.roomLog(room, query);
  }

  @Get('moderation/log')
  globalLog(@RequiredUser() user: User, @Query() query: ModerationLogQueryDto) {
    return this.tools.globalLog(user, query);
  }

  @Get('moderation/bans')
  globalBans(@RequiredUser() user: User) {
    return this.tools.globalBans(user);
  }
}
