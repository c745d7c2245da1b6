import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Forbidden } from '../common/errors';
import { RoomContext } from '../rooms/room-access.guard';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { ActiveUsersQueryDto } from './dto/active-users-query.dto';
import { LogRow, ModerationLogRepository } from './moderation-log.repository';
import { BanRow, ModerationRepository, ModeratorRow } from './moderation.repository';

export interface LogPage {
  limit: number;
  /** Entries older than this one only. */
  before?: number | null;
}

export type BanJson = { session_id: string; until: number | null };

/**
 * Read-only tools the reference lacks (issue #6): a room's moderators (hidden ones included), its
 * bans with their expiry, its recently active users and its audit log, for the room's moderators
 * (RoomAccessGuard checks); server-wide bans and the whole log for global moderators.
 */
@Injectable()
export class ModeratorToolsService {
  constructor(
    private readonly repo: ModerationRepository,
    private readonly log: ModerationLogRepository,
    private readonly users: UsersService,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /** The default window of the active users list: the room's active-user threshold, in whole days. */
  get defaultActiveDays(): number {
    return Math.max(1, Math.round(this.config.activeThreshold / 86400));
  }

  moderators({ room }: RoomContext): Promise<ModeratorRow[]> {
    return this.repo.listModerators(room.id);
  }

  async roomBans({ room }: RoomContext): Promise<BanJson[]> {
    return (await this.repo.listRoomBans(room.id)).map(banJson);
  }

  async globalBans(actor: User): Promise<BanJson[]> {
    requireGlobalModerator(actor);
    return (await this.repo.listGlobalBans()).map(banJson);
  }

  /** Active within `active_days` (default: the room's active threshold). */
  activeUsers({ room }: RoomContext, query: ActiveUsersQueryDto): Promise<Array<{ session_id: string; last_active: number }>> {
    const days = query.active_days ?? this.defaultActiveDays;
    return this.users.activeInRoom(room.id, days * 86400, query.limit);
  }

  roomLog({ room }: RoomContext, page: LogPage): Promise<LogRow[]> {
    return this.log.list({ room: room.id, limit: page.limit, before: page.before ?? null });
  }

  async globalLog(actor: User, page: LogPage): Promise<LogRow[]> {
    requireGlobalModerator(actor);
    return this.log.list({ limit: page.limit, before: page.before ?? null });
  }

}

function requireGlobalModerator(actor: User): void {
  if (!actor.moderator) throw new Forbidden('This action requires global moderator permissions');
}

const banJson = (b: BanRow): BanJson => ({ session_id: b.session_id, until: b.until });
