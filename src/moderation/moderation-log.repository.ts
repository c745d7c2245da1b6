import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Sql } from '../database/sql';

/** What moderators do, as the audit log records it (§ moderator tools in the README). */
export type ModerationAction =
  | 'appoint_admin'
  | 'appoint_moderator'
  | 'dismiss_admin'
  | 'dismiss_moderator'
  | 'ban'
  | 'unban'
  | 'set_permissions'
  | 'schedule_permissions'
  | 'delete_message'
  | 'delete_all'
  | 'remove_reactions'
  | 'pin'
  | 'unpin'
  | 'unpin_all'
  | 'create_room'
  | 'update_room'
  | 'delete_room';

export interface LogEntry {
  /** The moderator; null for a change the server applied on schedule. */
  actor: number | null;
  action: ModerationAction;
  target?: number | null;
  /** Null for server-wide actions. */
  room: number | null;
  details?: Record<string, unknown>;
  at: number;
}

export interface LogRow {
  id: number;
  at: number;
  actor: string | null;
  action: ModerationAction;
  target: string | null;
  room: string | null;
  details: Record<string, unknown>;
}

export interface LogQuery {
  /** One room's entries, or (undefined) every entry. */
  room?: number;
  /** Only entries older than this id (paging backwards). */
  before: number | null;
  limit: number;
}

@Injectable()
export class ModerationLogRepository {
  constructor(private readonly db: Db) {}

  /** Written in the transaction of the change it records, so the log never disagrees with the data. */
  async record(entry: LogEntry, tx: Sql): Promise<void> {
    await tx.execute(`INSERT INTO moderation_log (at, actor, action, target, room, details) VALUES ($1, $2, $3, $4, $5, $6)`, [
      entry.at,
      entry.actor,
      entry.action,
      entry.target ?? null,
      entry.room,
      JSON.stringify(entry.details ?? {}),
    ]);
  }

  /** Newest first, with session ids and room tokens in place of row ids. */
  list(q: LogQuery, sql: Sql = this.db): Promise<LogRow[]> {
    return sql.query<LogRow>(
      `SELECT l.id, l.at, a.session_id AS actor, l.action, t.session_id AS target, r.token AS room, l.details
         FROM moderation_log l
         LEFT JOIN users a ON a.id = l.actor
         LEFT JOIN users t ON t.id = l.target
         LEFT JOIN rooms r ON r.id = l.room
        WHERE ($1::bigint IS NULL OR l.room = $1) AND ($2::bigint IS NULL OR l.id < $2)
        ORDER BY l.id DESC
        LIMIT $3`,
      [q.room ?? null, q.before, q.limit],
    );
  }

  /** Cleanup: entries older than `before`. */
  prune(before: number, tx: Sql): Promise<number> {
    return tx.execute(`DELETE FROM moderation_log WHERE at < $1`, [before]);
  }
}
