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
}
