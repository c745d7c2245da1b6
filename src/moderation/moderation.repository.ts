import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { Db } from '../database/db';
import { on, Sql } from '../database/sql';
import { Permission } from '../rooms/room';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';
import { BanFuture } from './ban-future.entity';
import { PermissionFuture } from './permission-future.entity';
import { PermissionOverride } from './permission-override.entity';

export interface ModeratorRow {
  session_id: string;
  admin: boolean;
  visible: boolean;
  global: boolean;
}

export interface BanRow {
  session_id: string;
  room: string | null;
  /** When the scheduled unban happens, or null for a permanent ban. */
  until: number | null;
}

export interface OverrideRow extends PermissionOverride {
  session_id: string;
}

/** A scheduled permission change or (un)ban, as the futurePermissions endpoints list them. */
export interface FutureRow {
  session_id: string;
  at: number;
  read: boolean | null;
  write: boolean | null;
  upload: boolean | null;
  banned: boolean | null;
}

type OverrideValues = Partial<Omit<PermissionOverride, 'room' | 'user'>>;
type GlobalFlags = Partial<Pick<User, 'banned' | 'moderator' | 'admin' | 'visible_mod'>>;

/** The entries whose value is not undefined (undefined: leave the column as it is). */
function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

@Injectable()
export class ModerationRepository {
  constructor(
    @InjectRepository(PermissionOverride) private readonly overrides: Repository<PermissionOverride>,
    @InjectRepository(PermissionFuture) private readonly permissionFutures: Repository<PermissionFuture>,
    @InjectRepository(BanFuture) private readonly banFutures: Repository<BanFuture>,
    private readonly db: Db,
  ) {}

  /** Every room request asks the permission evaluator, which reads this: SQL on the primary key. */
  findOverride(roomId: number, userId: number, sql: Sql = this.db): Promise<PermissionOverride | undefined> {
    return sql.one<PermissionOverride>(`SELECT * FROM user_permission_overrides WHERE room = $1 AND "user" = $2`, [roomId, userId]);
  }

  /** Sets the given columns of the override row, creating it when missing. */
  async upsertOverride(roomId: number, userId: number, values: OverrideValues, sql?: Sql): Promise<void> {
    const set = defined(values);
    if (!Object.keys(set).length) return;
    await on(this.overrides, sql)
      .createQueryBuilder()
      .insert()
      .values({ room: roomId, user: userId, ...set })
      .orUpdate(Object.keys(set), ['room', 'user'])
      .execute();
  }

  /** Updates an existing override row only (removing a role from nobody creates nothing). */
  async updateOverride(roomId: number, userId: number, values: OverrideValues, sql?: Sql): Promise<void> {
    const set = defined(values);
    if (Object.keys(set).length) await on(this.overrides, sql).update({ room: roomId, user: userId }, set);
  }

  async setGlobalFlags(userId: number, values: GlobalFlags, sql: Sql = this.db): Promise<void> {
    const set = defined(values);
    if (Object.keys(set).length) await sql.manager.update(User, { id: userId }, set);
  }

  /** Scheduled (un)bans of one scope: a room id, or null for the global scope. */
  async clearBanFutures(userId: number, roomId: number | null, sql?: Sql): Promise<void> {
    await on(this.banFutures, sql).delete({ user: userId, room: roomId ?? IsNull() });
  }

  async scheduleBanChange(userId: number, roomId: number | null, at: number, banned: boolean, sql?: Sql): Promise<void> {
    await on(this.banFutures, sql).insert({ room: roomId, user: userId, at, banned });
  }

  /** Unschedules changes of these permissions; a schedule left changing nothing goes. */
  async clearPermissionFutures(roomId: number, userId: number, permissions: Permission[], sql?: Sql): Promise<void> {
    const scheduled = permissions.filter((p): p is 'read' | 'write' | 'upload' => p !== 'accessible');
    if (!scheduled.length) return;
    const futures = on(this.permissionFutures, sql);
    await futures.update({ room: roomId, user: userId }, Object.fromEntries(scheduled.map((p) => [p, null])));
    await futures.delete({ room: roomId, user: userId, read: IsNull(), write: IsNull(), upload: IsNull() });
  }

  /** Room and global moderators of a room (global ones have no override row), sorted by id. */
  listModerators(roomId: number, sql: Sql = this.db): Promise<ModeratorRow[]> {
    return sql.query<ModeratorRow>(
      `SELECT u.session_id,
              (u.admin OR coalesce(o.admin, false)) AS admin,
              CASE WHEN o.moderator THEN o.visible_mod ELSE u.visible_mod END AS visible,
              (u.moderator AND NOT coalesce(o.moderator, false)) AS global
       FROM users u LEFT JOIN user_permission_overrides o ON o."user" = u.id AND o.room = $1
       WHERE u.id <> 0 AND (u.moderator OR o.moderator)
       ORDER BY u.session_id`,
      [roomId],
    );
  }

  listGlobalModerators(sql: Sql = this.db): Promise<ModeratorRow[]> {
    return sql.query<ModeratorRow>(
      `SELECT session_id, admin, visible_mod AS visible, true AS global FROM users
       WHERE id <> 0 AND moderator ORDER BY session_id`,
    );
  }

  listRoomBans(roomId: number, sql: Sql = this.db): Promise<BanRow[]> {
    return sql.query<BanRow>(
      `SELECT u.session_id, r.token AS room,
              (SELECT min(f.at) FROM user_ban_futures f WHERE f."user" = u.id AND f.room = o.room AND NOT f.banned) AS until
       FROM user_permission_overrides o JOIN users u ON u.id = o."user" JOIN rooms r ON r.id = o.room
       WHERE o.room = $1 AND o.banned ORDER BY u.session_id`,
      [roomId],
    );
  }

  listGlobalBans(sql: Sql = this.db): Promise<BanRow[]> {
    return sql.query<BanRow>(
      `SELECT u.session_id, NULL AS room,
              (SELECT min(f.at) FROM user_ban_futures f WHERE f."user" = u.id AND f.room IS NULL AND NOT f.banned) AS until
       FROM users u WHERE u.banned ORDER BY u.session_id`,
    );
  }

  listOverrides(roomId: number, sql: Sql = this.db): Promise<OverrideRow[]> {
    return sql.query<OverrideRow>(
      `SELECT u.session_id, o.room, o."user", o.banned, o.read, o.accessible, o.write, o.upload, o.moderator, o.admin, o.visible_mod
       FROM user_permission_overrides o JOIN users u ON u.id = o."user"
       WHERE o.room = $1 ORDER BY u.session_id`,
      [roomId],
    );
  }

  async schedulePermissionChange(
    roomId: number,
    userId: number,
    at: number,
    values: Partial<Record<'read' | 'write' | 'upload', boolean>>,
    sql?: Sql,
  ): Promise<void> {
    const { read = null, write = null, upload = null } = values;
    await on(this.permissionFutures, sql).insert({ room: roomId, user: userId, at, read, write, upload });
  }

  /** Scheduled permission changes and (un)bans of one room, optionally of one user, soonest first. */
  listFutures(roomId: number, userId: number | null, sql: Sql = this.db): Promise<FutureRow[]> {
    return sql.query<FutureRow>(
      `SELECT u.session_id, f.at, f.read, f.write, f.upload, f.banned FROM (
         SELECT id, "user", at, read, write, upload, NULL::boolean AS banned, 0 AS kind FROM user_permission_futures WHERE room = $1
         UNION ALL
         SELECT id, "user", at, NULL, NULL, NULL, banned, 1 FROM user_ban_futures WHERE room = $1
       ) f JOIN users u ON u.id = f."user"
       WHERE $2::bigint IS NULL OR f."user" = $2
       ORDER BY f.at, f.kind, f.id`,
      [roomId, userId],
    );
  }

  /** Removes and returns the permission changes due at `now`. */
  takeDuePermissionChanges(now: number, sql: Sql): Promise<PermissionFuture[]> {
    return takeDue(on(this.permissionFutures, sql), now);
  }

  /** Removes and returns the (un)bans due at `now`. */
  takeDueBanChanges(now: number, sql: Sql): Promise<BanFuture[]> {
    return takeDue(on(this.banFutures, sql), now);
  }

  /** A scheduled room (un)ban; moderators cannot be banned, so a ban skips a row that became one. */
  async setRoomBanned(roomId: number, userId: number, banned: boolean, sql: Sql): Promise<void> {
    // Hand-written: an upsert whose update is conditional, which the query builder cannot say.
    if (banned) {
      await sql.execute(
        `INSERT INTO user_permission_overrides (room, "user", banned) VALUES ($1, $2, true)
         ON CONFLICT (room, "user") DO UPDATE SET banned = true
         WHERE NOT user_permission_overrides.moderator AND NOT user_permission_overrides.admin`,
        [roomId, userId],
      );
    } else {
      await on(this.overrides, sql).update({ room: roomId, user: userId }, { banned: false });
    }
  }

  /** A scheduled global (un)ban; global moderators cannot be banned. */
  async setGlobalBanned(userId: number, banned: boolean, sql: Sql): Promise<void> {
    await sql.execute(`UPDATE users SET banned = $2 WHERE id = $1 AND NOT (($2::boolean) AND (moderator OR admin))`, [userId, banned]);
  }

  /** The room's defaults, read in the cleanup transaction. */
  async roomDefaults(roomId: number, sql: Sql): Promise<Pick<Room, 'read' | 'write' | 'upload'> | undefined> {
    return (await sql.manager.findOne(Room, { select: { read: true, write: true, upload: true }, where: { id: roomId } })) ?? undefined;
  }
}

/** DELETE … RETURNING: the rows due at `now`, claimed once across instances (the cleanup's lock). */
async function takeDue<T extends PermissionFuture | BanFuture>(repository: Repository<T>, now: number): Promise<T[]> {
  const result = await repository.createQueryBuilder().delete().where('at <= :now', { now }).returning('*').execute();
  return result.raw as T[];
}
