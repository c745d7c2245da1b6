import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { BadRequest, Forbidden } from '../common/errors';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { Permission } from '../rooms/room';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { Metrics } from '../metrics/metrics';
import { ModerationAction, ModerationLogRepository } from './moderation-log.repository';
import { BanFuture } from './ban-future.entity';
import { BanRow, ModerationRepository, ModeratorRow } from './moderation.repository';
import { PermissionFuture } from './permission-future.entity';
import { PermissionsService } from './permissions.service';

export type Scope = { global: true } | { rooms: Room[] };

export interface RoleChange {
  admin?: boolean | null;
  moderator?: boolean | null;
  /** Default: visible for room appointments, hidden for global ones. */
  visible?: boolean | null;
}

/** The (admin, moderator) pair normalised to booleans or null; the two combinations §8.2 refuses are a 400. */
export function checkRoleChange(change: RoleChange): { admin: boolean | null; moderator: boolean | null } {
  const admin = change.admin ?? null;
  const moderator = change.moderator ?? null;
  if (admin === null && moderator === null) throw new BadRequest('one of admin or moderator must be given');
  if (admin === true && moderator === false) throw new BadRequest('an admin is always a moderator');
  return { admin, moderator };
}

/** Permission overrides: true/false sets one, null returns it to the room default. */
/** The audit log's names for a role change of §8.2's table. */
function roleActions(admin: boolean | null, moderator: boolean | null): ModerationAction[] {
  if (admin === true) return ['appoint_admin'];
  if (moderator === false) return ['dismiss_moderator'];
  const actions: ModerationAction[] = admin === false ? ['dismiss_admin'] : [];
  if (moderator === true) actions.push('appoint_moderator');
  return actions;
}

export type PermissionChange = Partial<Record<Permission, boolean | null>>;

/** Values a scheduled change may set (`accessible` cannot be scheduled). */
export type ScheduledValues = Partial<Record<'read' | 'write' | 'upload', boolean>>;

@Injectable()
export class ModerationService {
  constructor(
    private readonly repo: ModerationRepository,
    private readonly permissions: PermissionsService,
    private readonly users: UsersService,
    private readonly log: ModerationLogRepository,
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /** Records one action per room of the scope (or one server-wide), in the caller's transaction. */
  private async record(
    tx: Sql,
    actor: User | null,
    action: ModerationAction,
    target: User | number,
    rooms: (Room | number)[] | null,
    details?: Record<string, unknown>,
  ): Promise<void> {
    const at = this.clock.now();
    const targetId = typeof target === 'number' ? target : target.id;
    for (const room of rooms ?? [null]) {
      const roomId = room === null ? null : typeof room === 'number' ? room : room.id;
      await this.log.record({ at, actor: actor?.id ?? null, action, target: targetId, room: roomId, details }, tx);
    }
  }

  /** Appoints or removes moderators and admins, following the (admin, moderator) table of §8.2. */
  async setModerator(actor: User, targetSid: string, scope: Scope, change: RoleChange): Promise<User> {
    const { admin, moderator } = checkRoleChange(change);
    return this.db.transaction(async (tx) => {
      await this.requireRole(actor, scope, 'admin', tx);
      const target = await this.users.resolveTarget(targetSid, tx);
      if ('global' in scope) {
        const visible = change.visible ?? false;
        if (admin === true) await this.repo.setGlobalFlags(target.id, { banned: false, moderator: true, admin: true, visible_mod: visible }, tx);
        else if (moderator === false) await this.repo.setGlobalFlags(target.id, { moderator: false, admin: false }, tx);
        else {
          if (admin === false) await this.repo.setGlobalFlags(target.id, { admin: false }, tx);
          if (moderator === true) await this.repo.setGlobalFlags(target.id, { banned: false, moderator: true, visible_mod: visible }, tx);
        }
        for (const action of roleActions(admin, moderator)) {
          await this.record(tx, actor, action, target, null, action.startsWith('appoint') ? { visible } : undefined);
        }
        return target;
      }
      const visible = change.visible ?? true;
      for (const room of scope.rooms) {
        if (admin === true) {
          await this.repo.upsertOverride(room.id, target.id, { banned: false, moderator: true, admin: true, visible_mod: visible }, tx);
        } else if (moderator === false) {
          await this.repo.updateOverride(room.id, target.id, { moderator: false, admin: false, visible_mod: true }, tx);
        } else {
          if (admin === false) await this.repo.updateOverride(room.id, target.id, { admin: false }, tx);
          if (moderator === true) await this.repo.upsertOverride(room.id, target.id, { banned: false, moderator: true, visible_mod: visible }, tx);
        }
      }
      for (const action of roleActions(admin, moderator)) {
        await this.record(tx, actor, action, target, scope.rooms, action.startsWith('appoint') ? { visible } : undefined);
      }
      return target;
    });
  }

  /**
   * Bans in the given rooms or globally; a timeout schedules the unban and replaces any earlier
   * schedule of the same scope. Nobody bans themselves or a global moderator; only admins ban
   * room moderators.
   */
  async ban(actor: User, targetSid: string, scope: Scope, timeout: number | null): Promise<User> {
    const banned = await this.banInTransaction(actor, targetSid, scope, timeout);
    this.metrics.bans.inc({ scope: 'global' in scope ? 'global' : 'room' });
    return banned;
  }

  private banInTransaction(actor: User, targetSid: string, scope: Scope, timeout: number | null): Promise<User> {
    return this.db.transaction(async (tx) => {
      await this.requireRole(actor, scope, 'moderator', tx);
      const target = await this.users.resolveTarget(targetSid, tx);
      if (target.id === actor.id) throw new Forbidden('You cannot ban yourself');
      if (target.moderator || target.admin) throw new Forbidden('Global moderators and admins cannot be banned');
      const unbanAt = timeout === null ? null : this.clock.now() + timeout;
      if ('global' in scope) {
        await this.repo.setGlobalFlags(target.id, { banned: true }, tx);
        await this.reschedule(target.id, null, unbanAt, tx);
        await this.record(tx, actor, 'ban', target, null, { until: unbanAt });
        return target;
      }
      for (const room of scope.rooms) {
        const theirs = await this.permissions.effective(room, target, tx);
        if (theirs.moderator) {
          const mine = await this.permissions.effective(room, actor, tx);
          if (!mine.admin) throw new Forbidden('Only admins can ban moderators');
        }
        await this.repo.upsertOverride(room.id, target.id, { banned: true, moderator: false, admin: false }, tx);
        await this.reschedule(target.id, room.id, unbanAt, tx);
      }
      await this.record(tx, actor, 'ban', target, scope.rooms, { until: unbanAt });
      return target;
    });
  }

  async unban(actor: User, targetSid: string, scope: Scope): Promise<User> {
    return this.db.transaction(async (tx) => {
      await this.requireRole(actor, scope, 'moderator', tx);
      const target = await this.users.resolveTarget(targetSid, tx);
      if ('global' in scope) {
        await this.repo.setGlobalFlags(target.id, { banned: false }, tx);
        await this.repo.clearBanFutures(target.id, null, tx);
        await this.record(tx, actor, 'unban', target, null);
        return target;
      }
      for (const room of scope.rooms) {
        await this.repo.updateOverride(room.id, target.id, { banned: false }, tx);
        await this.repo.clearBanFutures(target.id, room.id, tx);
      }
      await this.record(tx, actor, 'unban', target, scope.rooms);
      return target;
    });
  }

  /**
   * Per-user overrides in one room; scheduled changes of the same permissions are dropped unless
   * `unschedule` is false.
   */
  async setPermissions(actor: User, room: Room, targetSid: string, change: PermissionChange, unschedule = true): Promise<User> {
    const keys = (Object.keys(change) as Permission[]).filter((k) => change[k] !== undefined);
    if (!keys.length) throw new BadRequest('no permission change given');
    return this.db.transaction(async (tx) => {
      await this.requireRole(actor, { rooms: [room] }, 'moderator', tx);
      const target = await this.users.resolveTarget(targetSid, tx);
      const values = Object.fromEntries(keys.map((k) => [k, change[k]]));
      await this.repo.upsertOverride(room.id, target.id, values, tx);
      if (unschedule) await this.repo.clearPermissionFutures(room.id, target.id, keys, tx);
      await this.record(tx, actor, 'set_permissions', target, [room], values);
      return target;
    });
  }

  /** Schedules read/write/upload values for a user of a room, `delay` seconds from now (§8.4). */
  async schedulePermissions(actor: User, room: Room, targetSid: string, delay: number, values: ScheduledValues): Promise<User> {
    return this.db.transaction(async (tx) => {
      await this.requireRole(actor, { rooms: [room] }, 'moderator', tx);
      const target = await this.users.resolveTarget(targetSid, tx);
      const at = this.clock.now() + delay;
      await this.repo.schedulePermissionChange(room.id, target.id, at, values, tx);
      await this.record(tx, actor, 'schedule_permissions', target, [room], { at, ...values });
      return target;
    });
  }

  /**
   * Cleanup task: applies every scheduled permission change and (un)ban due at `now`, in `at`
   * order, and deletes them. A value equal to the room default is stored as "no override", so a
   * scheduled restore returns the user to whatever the room allows.
   */
  async applyDueChanges(tx: Sql, now: number): Promise<number> {
    const permissions = await this.repo.takeDuePermissionChanges(now, tx);
    const bans = await this.repo.takeDueBanChanges(now, tx);
    const due = [
      ...permissions.map((p) => ({ at: p.at, kind: 0, id: p.id, apply: () => this.applyPermissionChange(p, tx) })),
      ...bans.map((b) => ({ at: b.at, kind: 1, id: b.id, apply: () => this.applyBanChange(b, tx) })),
    ].sort((a, b) => a.at - b.at || a.kind - b.kind || a.id - b.id);
    for (const change of due) await change.apply();
    return due.length;
  }

  private async applyPermissionChange(p: PermissionFuture, tx: Sql): Promise<void> {
    const defaults = await this.repo.roomDefaults(p.room, tx);
    if (!defaults) return;
    const values: PermissionChange = {};
    for (const k of ['read', 'write', 'upload'] as const) {
      const v = p[k];
      if (v !== null) values[k] = v === defaults[k] ? null : v;
    }
    if (Object.values(values).some((v) => v !== null)) await this.repo.upsertOverride(p.room, p.user, values, tx);
    else await this.repo.updateOverride(p.room, p.user, values, tx);
    await this.record(tx, null, 'set_permissions', p.user, [p.room], { ...values, scheduled: true });
  }

  private async applyBanChange(b: BanFuture, tx: Sql): Promise<void> {
    if (b.room === null) await this.repo.setGlobalBanned(b.user, b.banned, tx);
    else await this.repo.setRoomBanned(b.room, b.user, b.banned, tx);
    await this.record(tx, null, b.banned ? 'ban' : 'unban', b.user, b.room === null ? null : [b.room], { scheduled: true });
  }

  listModerators(room: Room): Promise<ModeratorRow[]> {
    return this.repo.listModerators(room.id);
  }

  listGlobalModerators(): Promise<ModeratorRow[]> {
    return this.repo.listGlobalModerators();
  }

  listBans(scope: Room | 'global'): Promise<BanRow[]> {
    return scope === 'global' ? this.repo.listGlobalBans() : this.repo.listRoomBans(scope.id);
  }

  private async reschedule(userId: number, roomId: number | null, unbanAt: number | null, tx: Sql): Promise<void> {
    await this.repo.clearBanFutures(userId, roomId, tx);
    if (unbanAt !== null) await this.repo.scheduleBanChange(userId, roomId, unbanAt, false, tx);
  }

  private async requireRole(actor: User, scope: Scope, role: 'admin' | 'moderator', tx: Sql): Promise<void> {
    if ('global' in scope) {
      if (!(role === 'admin' ? actor.admin : actor.moderator)) {
        throw new Forbidden(`This action requires global ${role} permissions`);
      }
      return;
    }
    if (!scope.rooms.length) throw new BadRequest('no rooms given');
    for (const room of scope.rooms) await this.permissions.require(room, actor, role, tx);
  }
}
