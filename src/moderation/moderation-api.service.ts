import { Injectable } from '@nestjs/common';
import { Forbidden, NotFound, SogsError } from '../common/errors';
import { MessagesService } from '../messages/messages.service';
import { Room } from '../rooms/room.entity';
import { RoomContext } from '../rooms/room-access.guard';
import { RoomsService } from '../rooms/rooms.service';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { BanUserDto } from './dto/ban-user.dto';
import { SchedulePermissionsDto, scheduledValues } from './dto/schedule-permissions.dto';
import { ScopeFields, scopeInput, ScopeInput } from './dto/scope.fields';
import { permissionChange, SetPermissionsDto } from './dto/set-permissions.dto';
import { SetModeratorDto } from './dto/set-moderator.dto';
import { UnbanUserDto } from './dto/unban-user.dto';
import { FutureRow, ModerationRepository } from './moderation.repository';
import { checkRoleChange, ModerationService, Scope } from './moderation.service';
import { PermissionOverride } from './permission-override.entity';
import { PermissionsService, RoomCheck } from './permissions.service';

/** What GET permissions shows of an override row: only the keys that apply. */
export type OverrideSummary = Partial<Record<'read' | 'accessible' | 'write' | 'upload' | 'banned' | 'moderator' | 'admin' | 'hidden', boolean>>;

export type FutureJson = { session_id?: string; at: number } & Partial<Record<'read' | 'write' | 'upload' | 'banned', boolean>>;

function summarise(o: PermissionOverride | undefined): OverrideSummary {
  if (!o) return {};
  const s: OverrideSummary = {};
  for (const k of ['read', 'accessible', 'write', 'upload'] as const) if (o[k] !== null) s[k] = o[k]!;
  if (o.banned) s.banned = true;
  if (o.admin) s.admin = true;
  else if (o.moderator) s.moderator = true;
  if ((o.admin || o.moderator) && !o.visible_mod) s.hidden = true;
  return s;
}

function futureJson(row: FutureRow, withSessionId: boolean): FutureJson {
  const f: FutureJson = withSessionId ? { session_id: row.session_id, at: row.at } : { at: row.at };
  for (const k of ['read', 'write', 'upload', 'banned'] as const) if (row[k] !== null) f[k] = row[k]!;
  return f;
}

/**
 * The moderation endpoints (§1.7): resolves room lists and session ids from requests, applies the
 * rules through ModerationService (shared with the admin CLI) and shapes the responses. Bodies
 * arrive checked by their DTOs; rooms named in the path arrive from RoomAccessGuard, which has
 * checked that the caller moderates them.
 */
@Injectable()
export class ModerationApiService {
  constructor(
    private readonly moderation: ModerationService,
    private readonly permissions: PermissionsService,
    private readonly repo: ModerationRepository,
    private readonly rooms: RoomsService,
    private readonly users: UsersService,
    private readonly messages: MessagesService,
  ) {}

  /**
   * Response: the info_updates of every affected room (all rooms for a global change). A pair of
   * flags §8.2 refuses is a 400 before the rooms can answer 403.
   */
  async setModerator(actor: User, sid: string, body: SetModeratorDto): Promise<{ info_updates: Record<string, number> }> {
    const change = { ...checkRoleChange(body), visible: body.visible };
    const scope = await this.scope(actor, body, 'admin');
    await this.moderation.setModerator(actor, sid, scope, change);
    const affected = 'global' in scope ? await this.rooms.list() : await Promise.all(scope.rooms.map((r) => this.rooms.get(r.token)));
    return { info_updates: Object.fromEntries(affected.map((r) => [r.token, r.info_updates])) };
  }

  async ban(actor: User, sid: string, body: BanUserDto): Promise<Record<string, never>> {
    await this.moderation.ban(actor, sid, await this.scope(actor, body, 'moderator'), body.timeout ?? null);
    return {};
  }

  async unban(actor: User, sid: string, body: UnbanUserDto): Promise<Record<string, never>> {
    await this.moderation.unban(actor, sid, await this.scope(actor, body, 'moderator'));
    return {};
  }

  async listPermissions({ room }: RoomContext): Promise<Record<string, OverrideSummary>> {
    const rows = await this.repo.listOverrides(room.id);
    return Object.fromEntries(rows.map((o) => [o.session_id, summarise(o)]));
  }

  async getPermissions({ room }: RoomContext, sid: string): Promise<OverrideSummary> {
    const target = await this.users.resolveTarget(sid);
    return summarise(await this.repo.findOverride(room.id, target.id));
  }

  async setPermissions(actor: User, { room }: RoomContext, sid: string, body: SetPermissionsDto): Promise<OverrideSummary> {
    const target = await this.moderation.setPermissions(actor, room, sid, permissionChange(body), body.unschedule !== false);
    return summarise(await this.repo.findOverride(room.id, target.id));
  }

  async listFutures({ room }: RoomContext): Promise<FutureJson[]> {
    return (await this.repo.listFutures(room.id, null)).map((f) => futureJson(f, true));
  }

  async getFutures({ room }: RoomContext, sid: string): Promise<FutureJson[]> {
    const target = await this.users.resolveTarget(sid);
    return (await this.repo.listFutures(room.id, target.id)).map((f) => futureJson(f, false));
  }

  async schedulePermissions(actor: User, { room }: RoomContext, sid: string, body: SchedulePermissionsDto): Promise<FutureJson[]> {
    const target = await this.moderation.schedulePermissions(actor, room, sid, body.in, scheduledValues(body));
    return (await this.repo.listFutures(room.id, target.id)).map((f) => futureJson(f, false));
  }

  /** 404 when the target is unknown or had nothing to delete here. */
  async deleteAllInRoom(actor: User, token: string, sid: string): Promise<Record<string, never>> {
    const room = await this.rooms.get(token);
    const target = await this.existingTarget(sid);
    if (!(await this.messages.deleteAllBy(room, actor, target))) throw new NotFound('No messages to delete');
    return {};
  }

  /** Every room the caller can access; rooms where the deletion is not permitted are skipped. */
  async deleteAllEverywhere(actor: User, sid: string): Promise<{ total: number; rooms: Record<string, number> }> {
    const target = await this.existingTarget(sid);
    const counts: Record<string, number> = {};
    let total = 0;
    for (const room of await this.rooms.list()) {
      if (!(await this.permissions.effective(room, actor)).accessible) continue;
      try {
        counts[room.token] = await this.messages.deleteAllBy(room, actor, target);
        total += counts[room.token];
      } catch (err) {
        if (!(err instanceof Forbidden)) throw err;
      }
    }
    return { total, rooms: counts };
  }

  private async existingTarget(sid: string): Promise<User> {
    const target = await this.users.findTarget(sid);
    if (!target) throw new NotFound('No such user');
    return target;
  }

  /**
   * Rooms named by token must all exist and be administered (or moderated) by the caller: an
   * unknown token is a 403 like a foreign one, so tokens cannot be probed. `["*"]` means every room
   * where the caller holds the role, and must find at least one.
   */
  private async scope(actor: User, body: ScopeFields, role: Extract<RoomCheck, 'admin' | 'moderator'>): Promise<Scope> {
    const input: ScopeInput = scopeInput(body);
    if ('global' in input) return input;
    const denied = () => new Forbidden(`This action requires ${role} permissions in every listed room`);
    if ('allRooms' in input) {
      const rooms: Room[] = [];
      for (const room of await this.rooms.list()) if ((await this.permissions.effective(room, actor))[role]) rooms.push(room);
      if (!rooms.length) throw denied();
      return { rooms };
    }
    const rooms: Room[] = [];
    for (const token of input.rooms) {
      const room = await this.rooms.get(token).catch((err: SogsError) => {
        throw err instanceof NotFound ? denied() : err;
      });
      if (!(await this.permissions.effective(room, actor))[role]) throw denied();
      if (!rooms.some((r) => r.id === room.id)) rooms.push(room);
    }
    return { rooms };
  }
}
