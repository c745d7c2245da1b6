import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { User } from '../users/user.entity';
import { UserReaction } from './user-reaction.entity';
import { ReactionRow } from './message-format';

/**
 * Hand-written SQL: reactions are read on every poll, and written under the schema's lock order.
 * Reactions are added and removed through user_reactions only: its triggers advance the sequence
 * per row and drop a reaction when its last user goes (see the migration header).
 */
@Injectable()
export class ReactionsRepository {
  constructor(private readonly db: Db) {}

  /**
   * The reactions of these messages, per message in creation order (which is `index`), with the
   * first `reactors` reactors by time and whether `viewer` is one of them.
   */
  forMessages(messageIds: number[], viewer: number | null, reactors: number): Promise<ReactionRow[]> {
    if (!messageIds.length) return Promise.resolve([]);
    return this.db.query<ReactionRow>(
      `SELECT r.message, r.reaction, c.count, c.you,
              ARRAY(SELECT u.session_id FROM user_reactions ur JOIN users u ON u.id = ur."user"
                    WHERE ur.reaction = r.id ORDER BY ur.at, ur."user" LIMIT $3) AS reactors
       FROM reactions r
       CROSS JOIN LATERAL (SELECT count(*) AS count, bool_or(ur."user" = $2) AS you
                           FROM user_reactions ur WHERE ur.reaction = r.id) c
       WHERE r.message = ANY($1::bigint[]) AND c.count > 0
       ORDER BY r.message, r.id`,
      [messageIds, viewer, reactors],
    );
  }

  /** Adds the user's reaction; false when they already had it. */
  async add(message: number, reaction: string, user: number, at: number, sql: Sql): Promise<boolean> {
    await sql.execute(`INSERT INTO reactions (message, reaction) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [message, reaction]);
    const added = await sql.execute(
      `INSERT INTO user_reactions (reaction, "user", at)
       SELECT id, $3, $4 FROM reactions WHERE message = $1 AND reaction = $2
       ON CONFLICT DO NOTHING`,
      [message, reaction, user, at],
    );
    return added > 0;
  }

  /** Removes the user's reaction; false when they did not have it. */
  async remove(message: number, reaction: string, user: number, sql: Sql): Promise<boolean> {
    const removed = await sql.execute(
      `DELETE FROM user_reactions
       WHERE "user" = $3 AND reaction = (SELECT id FROM reactions WHERE message = $1 AND reaction = $2)`,
      [message, reaction, user],
    );
    return removed > 0;
  }

  /**
   * Removes every user's reaction to the message (only `reaction` when given). The rows are locked
   * first, in key order, before any trigger locks the message: the lock order user_reactions →
   * message that single removals follow too.
   */
  async removeAll(message: number, reaction: string | null, sql: Sql): Promise<number> {
    const params = [message, reaction];
    const which = `SELECT id FROM reactions WHERE message = $1 AND ($2::text IS NULL OR reaction = $2)`;
    await sql.query(
      `SELECT 1 FROM user_reactions WHERE reaction IN (${which}) ORDER BY reaction, "user" FOR UPDATE`,
      params,
    );
    return sql.execute(`DELETE FROM user_reactions WHERE reaction IN (${which})`, params);
  }

  /** `[session_id, at]` of everyone with this reaction, oldest first; `limit` null = all. */
  async reactors(message: number, reaction: string, limit: number | null): Promise<Array<[string, number]>> {
    const rows = await this.db.query<Pick<User, 'session_id'> & Pick<UserReaction, 'at'>>(
      `SELECT u.session_id, ur.at
       FROM reactions r JOIN user_reactions ur ON ur.reaction = r.id JOIN users u ON u.id = ur."user"
       WHERE r.message = $1 AND r.reaction = $2
       ORDER BY ur.at, ur."user" LIMIT $3`,
      [message, reaction, limit],
    );
    return rows.map((r) => [r.session_id, r.at]);
  }
}
