import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Authenticated, RequiredUser } from '../auth/auth-user.decorator';
import { JsonBody, PathSessionId } from '../common/request-input';
import { CurrentRoom, RoomAccess } from '../rooms/room-access.decorator';
import { RoomContext } from '../rooms/room-access.guard';
import { User } from '../users/user.entity';
import { BanUserDto } from './dto/ban-user.dto';
import { SchedulePermissionsDto } from './dto/schedule-permissions.dto';
import { SetModeratorDto } from './dto/set-moderator.dto';
import { SetPermissionsDto } from './dto/set-permissions.dto';
import { UnbanUserDto } from './dto/unban-user.dto';
import { ModerationApiService } from './moderation-api.service';

/**
 * §1.7: appointments, bans, per-user permissions, scheduled changes and bulk deletion. The
 * `/user/{sid}/…` bodies name their rooms, so they are checked (400) before the rooms (403).
 */
@Controller()
export class ModerationController {
  constructor(private readonly api: ModerationApiService) {}

  @HttpCode(200)
  @Post('user/:sid/moderator')
  moderator(@RequiredUser() user: User, @PathSessionId('sid') sid: string, @JsonBody() body: SetModeratorDto) {
    return this.api.setModerator(user, sid, body);
  }

  @HttpCode(200)
  @Post('user/:sid/ban')
  ban(@RequiredUser() user: User, @PathSessionId('sid') sid: string, @JsonBody() body: BanUserDto) {
    return this.api.ban(user, sid, body);
  }

  @HttpCode(200)
  @Post('user/:sid/unban')
  unban(@RequiredUser() user: User, @PathSessionId('sid') sid: string, @JsonBody() body: UnbanUserDto) {
    return this.api.unban(user, sid, body);
  }

  @Get('room/:token/permissions')
  @Authenticated()
  @RoomAccess('moderator')
  listPermissions(@CurrentRoom() room: RoomContext) {
    return this.api.listPermissions(room);
  }

  @Get('room/:token/permissions/:sid')
  @Authenticated()
  @RoomAccess('moderator')
  getPermissions(@CurrentRoom() room: RoomContext, @PathSessionId('sid') sid: string) {
    return this.api.getPermissions(room, sid);
  }

  @HttpCode(200)
  @Post('room/:token/permissions/:sid')
  @RoomAccess('moderator')
  setPermissions(@RequiredUser() user: User, @CurrentRoom() room: RoomContext, @PathSessionId('sid') sid: string, @JsonBody() body: SetPermissionsDto) {
    return this.api.setPermissions(user, room, sid, body);
  }

  @Get('room/:token/futurePermissions')
  @Authenticated()
  @RoomAccess('moderator')
  listFutures(@CurrentRoom() room: RoomContext) {
    return this.api.listFutures(room);
  }

  @Get('room/:token/futurePermissions/:sid')
  @Authenticated()
  @RoomAccess('moderator')
  getFutures(@CurrentRoom() room: RoomContext, @PathSessionId('sid') sid: string) {
    return this.api.getFutures(room, sid);
  }

  @HttpCode(200)
  @Post('room/:token/futurePermissions/:sid')
  @RoomAccess('moderator')
  schedule(@RequiredUser() user: User, @CurrentRoom() room: RoomContext, @PathSessionId('sid') sid: string, @JsonBody() body: SchedulePermissionsDto) {
    return this.api.schedulePermissions(user, room, sid, body);
  }

  /** Not a moderators-only route: users may delete their own messages (the service decides). */
  @Delete('room/:token/all/:sid')
  deleteAll(@RequiredUser() user: User, @Param('token') token: string, @PathSessionId('sid') sid: string) {
    return this.api.deleteAllInRoom(user, token, sid);
  }

  @Delete('rooms/all/:sid')
  deleteAllEverywhere(@RequiredUser() user: User, @PathSessionId('sid') sid: string) {
    return this.api.deleteAllEverywhere(user, sid);
  }
}
