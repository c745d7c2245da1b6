import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { User } from './user';

const COLUMNS = 'id, session_id, created, last_active, banned, moderator, admin, visible_mod';

@Injectable()
export class UsersRepository {
  constructor(private readonly db: Db) {}

  findBySessionId(sessionId: string, sql: Sql = this.db): Promise<User | undefined> {
    return sql.one<User>(`SELECT ${COLUMNS} FROM users WHERE session_id = $1`, [sessionId]);
  }

  findAnyOf(sessionIds: string[], sql: Sql = this.db): Promise<User | undefined> {
    return sql.one<User>(`SELECT ${COLUMNS} FROM users WHERE session_id = ANY($1::text[]) ORDER BY id LIMIT 1`, [
      sessionIds,
    ]);
  }

  findById(id: number, sql: Sql = this.db): Promise<User | undefined> {
    return sql.one<User>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  }

  /** Inserts the user unless it exists; returns the new row, or undefined when it already existed. */
  insertIfMissing(sessionId: string, now: number, sql: Sql = this.db): Promise<User | undefined> {
    return sql.one<User>(
      `INSERT INTO users (session_id, created, last_active) VALUES ($1, $2, $2)
       ON CONFLICT (session_id) DO NOTHING RETURNING ${COLUMNS}`,
      [sessionId, now],
    );
  }

  /** Records activity at most once a minute per user: polling must not write on every request. */
  async touch(userId: number, now: number): Promise<void> {
    await this.db.execute(`UPDATE users SET last_active = $2 WHERE id = $1 AND last_active < $2::float8 - 60`, [userId, now]);
  }

  async upsertSystemUser(sessionId: string, now: number): Promise<void> {
    await this.db.execute(
      `INSERT INTO users (id, session_id, created, last_active, moderator, admin, visible_mod)
       VALUES (0, $1, $2, $2, true, true, false)
       ON CONFLICT (id) DO UPDATE SET session_id = EXCLUDED.session_id, moderator = true, admin = true,
         visible_mod = false, banned = false
       WHERE users.session_id <> EXCLUDED.session_id OR NOT users.admin OR users.visible_mod OR users.banned`,
      [sessionId, now],
    );
  }

  /** Users of a room, most recently active first (the room_users activity table). */
  /** Most recently active first; `limit` null = all of them. */
  listRoomUsers(roomId: number, since: number, limit: number | null = null, sql: Sql = this.db): Promise<Array<{ session_id: string; last_active: number }>> {
    return sql.query(
      `SELECT u.session_id, ru.last_active FROM room_users ru JOIN users u ON u.id = ru."user"
       WHERE ru.room = $1 AND ru.last_active >= $2 ORDER BY ru.last_active DESC, u.session_id LIMIT $3`,
      [roomId, since, limit],
    );
  }

  // --- blinding migration (§3.5) ---

  async addNeedsBlinding(blindedAbs: string, userId: number, sql: Sql = this.db): Promise<void> {
    await sql.execute(`INSERT INTO needs_blinding (blinded_abs, "user") VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      blindedAbs,
      userId,
    ]);
  }

  /** Unblinded users holding a role, ban or override who are not yet waiting for their blinded id. */
  unblindedUsersNeedingBlinding(): Promise<Array<{ id: number; session_id: string }>> {
    return this.db.query(
      `SELECT u.id, u.session_id FROM users u
       WHERE u.session_id LIKE '05%'
         AND NOT EXISTS (SELECT 1 FROM needs_blinding nb WHERE nb."user" = u.id)
         AND (u.moderator OR u.admin OR u.banned
              OR EXISTS (SELECT 1 FROM user_permission_overrides o WHERE o."user" = u.id)
              OR EXISTS (SELECT 1 FROM user_permission_futures f WHERE f."user" = u.id)
              OR EXISTS (SELECT 1 FROM user_ban_futures b WHERE b."user" = u.id))`,
    );
  }

  /**
   * Moves an unblinded user's roles, bans, overrides and schedules onto the newly created blinded
   * user whose sign-cleared id is `blindedAbs`. Runs inside the transaction that created `newUser`.
   */
  async migrateFromUnblinded(blindedAbs: string, newUserId: number, sql: Sql): Promise<boolean> {
    const pending = await sql.one<{ user: number }>(
      `DELETE FROM needs_blinding WHERE blinded_abs = $1 RETURNING "user"`,
      [blindedAbs],
    );
    if (!pending) return false;
    const old = pending.user;
    await sql.execute(
      `UPDATE users n SET created = o.created, last_active = GREATEST(n.last_active, o.last_active),
         banned = o.banned, moderator = o.moderator, admin = o.admin, visible_mod = o.visible_mod
       FROM users o WHERE o.id = $1 AND n.id = $2`,
      [old, newUserId],
    );
    await sql.execute(`UPDATE users SET banned = false, moderator = false, admin = false WHERE id = $1`, [old]);
    for (const table of ['user_permission_overrides', 'user_permission_futures', 'user_ban_futures']) {
      await sql.execute(`UPDATE ${table} SET "user" = $2 WHERE "user" = $1`, [old, newUserId]);
    }
    return true;
  }
}
