import { Injectable } from '@nestjs/common';
import { Forbidden } from '../common/errors';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';
import { ModerationRepository } from './moderation.repository';
import { PermissionOverride } from './permission-override.entity';

export type RoomCheck = 'read' | 'accessible' | 'write' | 'upload' | 'moderator' | 'admin';

/** The reference server's 403 texts (clients only look at the status). */
const DENIED: Record<RoomCheck, string> = {
  read: "This endpoint requires room message 'read' permission",
  // What the reference answers where it would check read (it has no accessible-only endpoint).
  accessible: "This endpoint requires room message 'read' permission",
  write: "This endpoint requires room message 'write' permission",
  upload: "This endpoint requires room file 'upload' permission",
  moderator: 'This endpoint requires moderator room permissions',
  admin: 'This endpoint requires admin room permissions',
};

export interface EffectivePermissions {
  read: boolean;
  accessible: boolean;
  write: boolean;
  /** Upload needs write too. */
  upload: boolean;
  moderator: boolean;
  admin: boolean;
  banned: boolean;
  globalModerator: boolean;
  globalAdmin: boolean;
}

/**
 * The one place that answers "what may this user do in this room" (§8.3): admins and moderators
 * (room or global) may do everything and are never banned; everyone else gets the room default
 * unless an override says otherwise, and nothing at all while banned.
 */
@Injectable()
export class PermissionsService {
  constructor(
    private readonly repo: ModerationRepository,
    private readonly db: Db,
  ) {}

  /** The caller's permissions, or 403 with the reference's text when `check` fails. */
  async require(room: Room, user: User | null, check: RoomCheck, sql: Sql = this.db): Promise<EffectivePermissions> {
    return this.check(await this.effective(room, user, sql), check);
  }

  async effective(room: Room, user: User | null, sql: Sql = this.db): Promise<EffectivePermissions> {
    return this.withOverride(room, user, user ? await this.repo.findOverride(room.id, user.id, sql) : undefined);
  }

  /** As `effective`, with the user's override row already read (RoomsService.access). */
  withOverride(room: Room, user: User | null, override: PermissionOverride | undefined): EffectivePermissions {
    return user ? combine(room, user, override) : fromDefaults(room, false);
  }

  /** 403 with the reference's text unless `check` passes. */
  check(p: EffectivePermissions, check: RoomCheck): EffectivePermissions {
    if (!p[check]) throw new Forbidden(DENIED[check]);
    return p;
  }
}

function combine(room: Room, user: User, o: PermissionOverride | undefined): EffectivePermissions {
  const admin = user.admin || (o?.admin ?? false);
  const moderator = admin || user.moderator || (o?.moderator ?? false);
  const base = { globalModerator: user.moderator, globalAdmin: user.admin };
  if (moderator) {
    return { read: true, accessible: true, write: true, upload: true, moderator, admin, banned: false, ...base };
  }
  const banned = user.banned || (o?.banned ?? false);
  if (banned) {
    return { read: false, accessible: false, write: false, upload: false, moderator, admin, banned, ...base };
  }
  const read = o?.read ?? room.read;
  const write = o?.write ?? room.write;
  return {
    read,
    accessible: read || (o?.accessible ?? room.accessible),
    write,
    upload: write && (o?.upload ?? room.upload),
    moderator,
    admin,
    banned,
    ...base,
  };
}

function fromDefaults(room: Room, banned: boolean): EffectivePermissions {
  return {
    read: room.read,
    accessible: room.read || room.accessible,
    write: room.write,
    upload: room.write && room.upload,
    moderator: false,
    admin: false,
    banned,
    globalModerator: false,
    globalAdmin: false,
  };
}
