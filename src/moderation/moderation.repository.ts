import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { Permission } from '../rooms/room';

export interface Override {
  room: number;
  user: number;
  banned: boolean;
  read: boolean | null;
  accessible: boolean | null;
  write: boolean | null;
  upload: boolean | null;
  moderator: boolean;
  admin: boolean;
  visible_mod: boolean;
}

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

export interface OverrideRow extends Override {
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

export interface DuePermissionChange {
  id: number;
  room: number;
  user: number;
  at: number;
  read: boolean | null;
  write: boolean | null;
  upload: boolean | null;
}

export interface DueBanChange {
  id: number;
  room: number | null;
  user: number;
  at: number;
  banned: boolean;
}

type OverrideValues = Partial<Omit<Override, 'room' | 'user'>>;
type GlobalFlags = Partial<{ banned: boolean; moderator: boolean; admin: boolean; visible_mod: boolean }>;

/**
 * The quoted column names of the keys whose value is not undefined, and the parameter list with
 * their values after `leading`. Keys come from typed objects in this file, never from input.
 */
function definedColumns(values: object, leading: unknown[]): { columns: string[]; params: unknown[] } {
  const entries = Object.entries(values).filter(([, v]) => v !== undefined);
  return { columns: entries.map(([k]) => `"${k}"`), params: [...leading, ...entries.map(([, v]) => v)] };
}

const OVERRIDE_COLUMNS = `room, "user", banned, read, accessible, write, upload, moderator, admin, visible_mod`;

@Injectable()
export class ModerationRepository {
  constructor(private readonly db: Db) {}

  findOverride(roomId: number, userId: number, sql: Sql = this.db): Promise<Override | undefined> {
    return sql.one<Override>(`SELECT ${OVERRIDE_COLUMNS} FROM user_permission_overrides WHERE room = $1 AND "user" = $2`, [
      roomId,
      userId,
    ]);
  }

  /** Sets the given columns of the override row, creating it when missing. */
  async upsertOverride(roomId: number, userId: number, values: OverrideValues, sql: Sql = this.db): Promise<void> {
    const { columns, params } = definedColumns(values, [roomId, userId]);
    if (!columns.length) return;
    await sql.execute(
      `INSERT INTO user_permission_overrides (room, "user", ${columns.join(', ')})
       VALUES ($1, $2, ${columns.map((_, i) => `$${i + 3}`).join(', ')})
       ON CONFLICT (room, "user") DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
      params,
    );
  }

  /** Updates an existing override row only (removing a role from nobody creates nothing). */
  async updateOverride(roomId: number, userId: number, values: OverrideValues, sql: Sql = this.db): Promise<void> {
    const { columns, params } = definedColumns(values, [roomId, userId]);
    if (!columns.length) return;
    await sql.execute(
      `UPDATE user_permission_overrides SET ${columns.map((c, i) => `${c} = $${i + 3}`).join(', ')}
       WHERE room = $1 AND "user" = $2`,
      params,
    );
  }

  async setGlobalFlags(userId: number, values: GlobalFlags, sql: Sql = this.db): Promise<void> {
    const { columns, params } = definedColumns(values, [userId]);
    if (!columns.length) return;
    await sql.execute(`UPDATE users SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`, params);
  }

  /** Scheduled (un)bans of one scope: a room id, or null for the global scope. */
  async clearBanFutures(userId: number, roomId: number | null, sql: Sql = this.db): Promise<void> {
    await sql.execute(`DELETE FROM user_ban_futures WHERE "user" = $1 AND room IS NOT DISTINCT FROM $2`, [userId, roomId]);
  }

  async scheduleBanChange(userId: number, roomId: number | null, at: number, banned: boolean, sql: Sql = this.db): Promise<void> {
    await sql.execute(`INSERT INTO user_ban_futures (room, "user", at, banned) VALUES ($1, $2, $3, $4)`, [
      roomId,
      userId,
      at,
      banned,
    ]);
  }

  async clearPermissionFutures(roomId: number, userId: number, permissions: Permission[], sql: Sql = this.db): Promise<void> {
    const scheduled = permissions.filter((p) => p !== 'accessible');
    if (!scheduled.length) return;
    await sql.execute(
      `UPDATE user_permission_futures SET ${scheduled.map((p) => `"${p}" = NULL`).join(', ')} WHERE room = $1 AND "user" = $2`,
      [roomId, userId],
    );
    await sql.execute(
      `DELETE FROM user_permission_futures WHERE room = $1 AND "user" = $2 AND read IS NULL AND write IS NULL AND upload IS NULL`,
      [roomId, userId],
    );
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
    sql: Sql = this.db,
  ): Promise<void> {
    await sql.execute(`INSERT INTO user_permission_futures (room, "user", at, read, write, upload) VALUES ($1, $2, $3, $4, $5, $6)`, [
      roomId,
      userId,
      at,
      values.read ?? null,
      values.write ?? null,
      values.upload ?? null,
    ]);
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
  takeDuePermissionChanges(now: number, sql: Sql): Promise<DuePermissionChange[]> {
    return sql.query<DuePermissionChange>(
      `DELETE FROM user_permission_futures WHERE at <= $1 RETURNING id, room, "user", at, read, write, upload`,
      [now],
    );
  }

  /** Removes and returns the (un)bans due at `now`. */
  takeDueBanChanges(now: number, sql: Sql): Promise<DueBanChange[]> {
    return sql.query<DueBanChange>(`DELETE FROM user_ban_futures WHERE at <= $1 RETURNING id, room, "user", at, banned`, [now]);
  }

  /** A scheduled room (un)ban; moderators cannot be banned, so a ban skips a row that became one. */
  async setRoomBanned(roomId: number, userId: number, banned: boolean, sql: Sql): Promise<void> {
    if (banned) {
      await sql.execute(
        `INSERT INTO user_permission_overrides (room, "user", banned) VALUES ($1, $2, true)
         ON CONFLICT (room, "user") DO UPDATE SET banned = true
         WHERE NOT user_permission_overrides.moderator AND NOT user_permission_overrides.admin`,
        [roomId, userId],
      );
    } else {
      await sql.execute(`UPDATE user_permission_overrides SET banned = false WHERE room = $1 AND "user" = $2`, [roomId, userId]);
    }
  }

  /** A scheduled global (un)ban; global moderators cannot be banned. */
  async setGlobalBanned(userId: number, banned: boolean, sql: Sql): Promise<void> {
    await sql.execute(`UPDATE users SET banned = $2 WHERE id = $1 AND NOT (($2::boolean) AND (moderator OR admin))`, [userId, banned]);
  }

  /** The room's defaults, read in the cleanup transaction. */
  roomDefaults(roomId: number, sql: Sql): Promise<{ read: boolean; write: boolean; upload: boolean } | undefined> {
    return sql.one(`SELECT read, write, upload FROM rooms WHERE id = $1`, [roomId]);
  }
}
