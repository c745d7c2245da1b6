import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Forbidden } from '../common/errors';
import { Room } from '../rooms/room';
import { RoomsService } from '../rooms/rooms.service';
import { User } from '../users/user';
import { UsersService } from '../users/users.service';
import { LogRow, ModerationLogRepository } from './moderation-log.repository';
import { BanRow, ModerationRepository, ModeratorRow } from './moderation.repository';
import { PermissionsService } from './permissions.service';

export interface LogPage {
  limit: number;
  before: number | null;
}

export type BanJson = { session_id: string; until: number | null };

/**
 * Read-only tools the reference lacks (issue #6): a room's moderators (hidden ones included), its
 * bans with their expiry, its recently active users and its audit log, for the room's moderators;
 * server-wide bans and the whole log for global moderators.
 */
@Injectable()
export class ModeratorToolsService {
  constructor(
    private readonly rooms: RoomsService,
    private readonly permissions: PermissionsService,
    private readonly repo: ModerationRepository,
    private readonly log: ModerationLogRepository,
    private readonly users: UsersService,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /** The default window of the active users list: the room's active-user threshold, in whole days. */
  get defaultActiveDays(): number {
    return Math.max(1, Math.round(this.config.activeThreshold / 86400));
  }

  async moderators(actor: User, token: string): Promise<ModeratorRow[]> {
    return this.repo.listModerators((await this.moderatedRoom(actor, token)).id);
  }

  async roomBans(actor: User, token: string): Promise<BanJson[]> {
    return (await this.repo.listRoomBans((await this.moderatedRoom(actor, token)).id)).map(banJson);
  }

  async globalBans(actor: User): Promise<BanJson[]> {
    requireGlobalModerator(actor);
    return (await this.repo.listGlobalBans()).map(banJson);
  }

  async activeUsers(actor: User, token: string, days: number, limit: number): Promise<Array<{ session_id: string; last_active: number }>> {
    const room = await this.moderatedRoom(actor, token);
    return this.users.activeInRoom(room.id, days * 86400, limit);
  }

  async roomLog(actor: User, token: string, page: LogPage): Promise<LogRow[]> {
    const room = await this.moderatedRoom(actor, token);
    return this.log.list({ room: room.id, ...page });
  }

  async globalLog(actor: User, page: LogPage): Promise<LogRow[]> {
    requireGlobalModerator(actor);
    return this.log.list(page);
  }

  private async moderatedRoom(actor: User, token: string): Promise<Room> {
    const room = await this.rooms.get(token);
    await this.permissions.require(room, actor, 'moderator');
    return room;
  }
}

function requireGlobalModerator(actor: User): void {
  if (!actor.moderator) throw new Forbidden('This action requires global moderator permissions');
}

const banJson = (b: BanRow): BanJson => ({ session_id: b.session_id, until: b.until });
