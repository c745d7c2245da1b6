import { Controller, Get, Param, Query } from '@nestjs/common';
import { RequiredUser } from '../auth/auth-user.decorator';
import { BadRequest } from '../common/errors';
import { clampedQueryInt } from '../common/request-input';
import { User } from '../users/user';
import { LogPage, ModeratorToolsService } from './moderator-tools.service';

type Query = Record<string, unknown>;

/** `limit` (1–1000, default 100) and `before` (an entry id: older entries only). */
function logPage(q: Query): LogPage {
  let before: number | null = null;
  if (q.before !== undefined) {
    if (typeof q.before !== 'string' || !/^\d{1,15}$/.test(q.before)) throw new BadRequest('Invalid before: expected a log entry id');
    before = Number(q.before);
  }
  return { limit: clampedQueryInt(q.limit, 100, 1, 1000, 'limit'), before };
}

/** Moderator-only listings: staff, bans, active users and the audit log. */
@Controller()
export class ModeratorToolsController {
  constructor(private readonly tools: ModeratorToolsService) {}

  @Get('room/:token/moderators')
  moderators(@RequiredUser() user: User, @Param('token') token: string) {
    return this.tools.moderators(user, token);
  }

  @Get('room/:token/bans')
  roomBans(@RequiredUser() user: User, @Param('token') token: string) {
    return this.tools.roomBans(user, token);
  }

  /** `active_days` (1–365, default the room active threshold) and `limit` (1–10000, default 1000). */
  @Get('room/:token/users')
  users(@RequiredUser() user: User, @Param('token') token: string, @Query() q: Query) {
    const days = clampedQueryInt(q.active_days, this.tools.defaultActiveDays, 1, 365, 'active_days');
    return this.tools.activeUsers(user, token, days, clampedQueryInt(q.limit, 1000, 1, 10000, 'limit'));
  }

  @Get('room/:token/moderation/log')
  roomLog(@RequiredUser() user: User, @Param('token') token: string, @Query() q: Query) {
    return this.tools.roomLog(user, token, logPage(q));
  }

  @Get('moderation/log')
  globalLog(@RequiredUser() user: User, @Query() q: Query) {
    return this.tools.globalLog(user, logPage(q));
  }

  @Get('moderation/bans')
  globalBans(@RequiredUser() user: User) {
    return this.tools.globalBans(user);
  }
}
