import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Db } from '../database/db';
import { on, Sql } from '../database/sql';
import { BanFuture } from '../moderation/ban-future.entity';
import { PermissionFuture } from '../moderation/permission-future.entity';
import { PermissionOverride } from '../moderation/permission-override.entity';
import { NeedsBlinding } from './needs-blinding.entity';
import { User } from './user.entity';

@Injectable()
export class UsersRepository {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly db: Db,
  ) {}

  /** Every signed request looks its user up: SQL on the unique index. */
  findBySessionId(sessionId: string, sql: Sql = this.db): Promise<User | undefined> {
    return sql.one<User>(`SELECT * FROM users WHERE session_id = $1`, [sessionId]);
  }

  async findAnyOf(sessionIds: string[], sql?: Sql): Promise<User | undefined> {
    return (await on(this.users, sql).findOne({ where: { session_id: In(sessionIds) }, order: { id: 'ASC' } })) ?? undefined;
  }

  async findById(id: number, sql?: Sql): Promise<User | undefined> {
    return (await on(this.users, sql).findOneBy({ id })) ?? undefined;
  }

  /** Inserts the user unless it exists; returns the new row, or undefined when it already existed. */
  async insertIfMissing(sessionId: string, now: number, sql?: Sql): Promise<User | undefined> {
    const result = await on(this.users, sql)
      .createQueryBuilder()
      .insert()
      .values({ session_id: sessionId, created: now, last_active: now })
      .orIgnore()
      .returning('*')
      .execute();
    return (result.raw as User[])[0];
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

  /** Users active in a room since `since`, most recently active first; `limit` null = all of them. */
  listRoomUsers(roomId: number, since: number, limit: number | null = null, sql: Sql = this.db): Promise<Array<Pick<User, 'session_id' | 'last_active'>>> {
    return sql.query(
      `SELECT u.session_id, ru.last_active FROM room_users ru JOIN users u ON u.id = ru."user"
       WHERE ru.room = $1 AND ru.last_active >= $2 ORDER BY ru.last_active DESC, u.session_id LIMIT $3`,
      [roomId, since, limit],
    );
  }

  // --- blinding migration (§3.5) ---

  async addNeedsBlinding(blindedAbs: string, userId: number, sql: Sql = this.db): Promise<void> {
    await sql.manager.createQueryBuilder().insert().into(NeedsBlinding).values({ blinded_abs: blindedAbs, user: userId }).orIgnore().execute();
  }

  /** Unblinded users holding a role, ban or override who are not yet waiting for their blinded id. */
  unblindedUsersNeedingBlinding(): Promise<Array<Pick<User, 'id' | 'session_id'>>> {
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
    const pending = await sql.one<Pick<NeedsBlinding, 'user'>>(`DELETE FROM needs_blinding WHERE blinded_abs = $1 RETURNING "user"`, [blindedAbs]);
    if (!pending) return false;
    const old = pending.user;
    await sql.execute(
      `UPDATE users n SET created = o.created, last_active = GREATEST(n.last_active, o.last_active),
         banned = o.banned, moderator = o.moderator, admin = o.admin, visible_mod = o.visible_mod
       FROM users o WHERE o.id = $1 AND n.id = $2`,
      [old, newUserId],
    );
    await sql.manager.update(User, { id: old }, { banned: false, moderator: false, admin: false });
    for (const entity of [PermissionOverride, PermissionFuture, BanFuture]) await sql.manager.update(entity, { user: old }, { user: newUserId });
    return true;
  }
}
