import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { ModerationService } from '../moderation/moderation.service';
import { EffectivePermissions, PermissionsService } from '../moderation/permissions.service';
import { User } from '../users/user.entity';
import { PinsRepository } from './pins.repository';
import { Room } from './room.entity';
import { RoomContext } from './room-access.guard';
import { RoomActivityService } from './room-activity.service';
import { buildRoomInfo, PollInfo, roleKeys, RoomInfo, SharedRoomDetails, splitStaff } from './room-info';
import { roomNotFound, RoomsService } from './rooms.service';

interface CacheEntry {
  infoUpdates: number;
  details: Promise<SharedRoomDetails>;
}

/**
 * Room info (§6.1) for GET /rooms, GET /room/{token} and pollInfo details (§1.4).
 *
 * Every client asks pollInfo/0 for each of its rooms every 10 s, so the details are built on every
 * poll. Their caller-independent part (staff lists, pins) is cached per room and keyed by the
 * room's info_updates, which the triggers bump in the same transaction as any change to it: the
 * room row each request loads anyway tells whether the entry is current. The lists are read after
 * that row, so an entry is never older than its key (at worst newer, which is harmless), and
 * several server instances stay correct without talking to each other.
 */
@Injectable()
export class RoomInfoService {
  private readonly cache = new Map<number, CacheEntry>();

  constructor(
    private readonly rooms: RoomsService,
    private readonly permissions: PermissionsService,
    private readonly moderation: ModerationService,
    private readonly pins: PinsRepository,
    private readonly activity: RoomActivityService,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Rooms the caller can see (read or accessible; moderators see every room), by token ignoring
   * case. Unlisted rooms only for their moderators (room or global); the others reach them by token.
   */
  async list(user: User | null): Promise<RoomInfo[]> {
    const visible: RoomInfo[] = [];
    for (const room of await this.rooms.list()) {
      const perms = await this.permissions.effective(room, user);
      if (perms.accessible && (room.listed || perms.moderator)) visible.push(await this.info(room, perms));
    }
    return visible;
  }

  /** 404 for a room the caller may not see (room-banned included), exactly as for a missing one. */
  async get(token: string, user: User | null): Promise<RoomInfo> {
    const { room, override } = await this.rooms.access(token, user);
    const perms = this.permissions.withOverride(room, user, override);
    if (!perms.accessible) throw roomNotFound(token);
    return this.info(room, perms);
  }

  /**
   * `details` only when the caller's info_updates differs from the room's (either direction). The
   * caller has `read` (RoomAccessGuard): `accessible` alone is not enough here.
   */
  async poll({ room, permissions: perms }: RoomContext, user: User | null, infoUpdated: number): Promise<PollInfo> {
    await this.activity.record(room, user);
    return {
      token: room.token,
      active_users: room.active_users,
      read: perms.read,
      write: perms.write,
      upload: perms.upload,
      ...(room.info_updates !== infoUpdated ? { details: await this.info(room, perms) } : {}),
      ...roleKeys(room, perms),
    };
  }

  private async info(room: Room, perms: EffectivePermissions): Promise<RoomInfo> {
    return buildRoomInfo(room, perms, await this.shared(room), Math.floor(this.config.activeThreshold));
  }

  private shared(room: Room): Promise<SharedRoomDetails> {
    const cached = this.cache.get(room.id);
    if (cached?.infoUpdates === room.info_updates) return cached.details;
    const details = this.load(room);
    // info_updates only grows: a slow request holding an older room row must not replace a newer entry.
    if (!cached || cached.infoUpdates < room.info_updates) {
      this.cache.set(room.id, { infoUpdates: room.info_updates, details });
      details.catch(() => {
        if (this.cache.get(room.id)?.details === details) this.cache.delete(room.id);
      });
    }
    return details;
  }

  private async load(room: Room): Promise<SharedRoomDetails> {
    const [staff, pinned] = await Promise.all([this.moderation.listModerators(room), this.pins.list(room.id)]);
    return Object.freeze({ staff: splitStaff(staff), pinned });
  }
}
