import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { RequiredUser } from '../auth/auth-user.decorator';
import { JsonObjectBody } from '../common/request-input';
import { User } from '../users/user';
import { ModerationApiService } from './moderation-api.service';
import {
  parseFutureChange,
  parsePermissionUpdate,
  parseRoleChange,
  parseScope,
  parseTimeout,
  pathSessionId,
} from './moderation-input';

type Body = Record<string, unknown>;

/** §1.7: appointments, bans, per-user permissions, scheduled changes and bulk deletion. */
@Controller()
export class ModerationController {
  constructor(private readonly api: ModerationApiService) {}

  @HttpCode(200)
  @Post('user/:sid/moderator')
  moderator(@RequiredUser() user: User, @Param('sid') sid: string, @JsonObjectBody() body: Body) {
    const target = pathSessionId(sid);
    return this.api.setModerator(user, target, parseScope(body), parseRoleChange(body));
  }

  @HttpCode(200)
  @Post('user/:sid/ban')
  ban(@RequiredUser() user: User, @Param('sid') sid: string, @JsonObjectBody() body: Body) {
    const target = pathSessionId(sid);
    return this.api.ban(user, target, parseScope(body), parseTimeout(body));
  }

  @HttpCode(200)
  @Post('user/:sid/unban')
  unban(@RequiredUser() user: User, @Param('sid') sid: string, @JsonObjectBody() body: Body) {
    const target = pathSessionId(sid);
    return this.api.unban(user, target, parseScope(body));
  }

  @Get('room/:token/permissions')
  listPermissions(@RequiredUser() user: User, @Param('token') token: string) {
    return this.api.listPermissions(user, token);
  }

  @Get('room/:token/permissions/:sid')
  getPermissions(@RequiredUser() user: User, @Param('token') token: string, @Param('sid') sid: string) {
    return this.api.getPermissions(user, token, pathSessionId(sid));
  }

  @HttpCode(200)
  @Post('room/:token/permissions/:sid')
  setPermissions(@RequiredUser() user: User, @Param('token') token: string, @Param('sid') sid: string, @JsonObjectBody() body: Body) {
    const target = pathSessionId(sid);
    const { change, unschedule } = parsePermissionUpdate(body);
    return this.api.setPermissions(user, token, target, change, unschedule);
  }

  @Get('room/:token/futurePermissions')
  listFutures(@RequiredUser() user: User, @Param('token') token: string) {
    return this.api.listFutures(user, token);
  }

  @Get('room/:token/futurePermissions/:sid')
  getFutures(@RequiredUser() user: User, @Param('token') token: string, @Param('sid') sid: string) {
    return this.api.getFutures(user, token, pathSessionId(sid));
  }

  @HttpCode(200)
  @Post('room/:token/futurePermissions/:sid')
  schedule(@RequiredUser() user: User, @Param('token') token: string, @Param('sid') sid: string, @JsonObjectBody() body: Body) {
    const target = pathSessionId(sid);
    return this.api.schedulePermissions(user, token, target, parseFutureChange(body));
  }

  @Delete('room/:token/all/:sid')
  deleteAll(@RequiredUser() user: User, @Param('token') token: string, @Param('sid') sid: string) {
    return this.api.deleteAllInRoom(user, token, pathSessionId(sid));
  }

  @Delete('rooms/all/:sid')
  deleteAllEverywhere(@RequiredUser() user: User, @Param('sid') sid: string) {
    return this.api.deleteAllEverywhere(user, pathSessionId(sid));
  }
}
