import { Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { WebhookEvents } from '../webhooks/webhook-events.service';
import { ModerationLogEntry } from './moderation-log.entity';

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
  | 'delete_room'
  | 'create_invite'
  | 'revoke_invite'
  | 'redeem_invite';

/** What is recorded: actor null for a change the server applied on schedule, room null for server-wide actions. */
export type LogEntry = Pick<ModerationLogEntry, 'actor' | 'room' | 'at'> &
  Partial<Pick<ModerationLogEntry, 'target' | 'details'>> & { action: ModerationAction };

/** An entry as the listings show it: session ids and room tokens in place of row ids. */
export interface LogRow extends Pick<ModerationLogEntry, 'id' | 'at' | 'details'> {
  actor: string | null;
  action: ModerationAction;
  target: string | null;
  room: string | null;
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
  constructor(
    private readonly db: Db,
    private readonly webhooks: WebhookEvents,
  ) {}

  /**
   * Written in the transaction of the change it records, so the log never disagrees with the data;
   * so is the webhook event of the entry.
   */
  async record(entry: LogEntry, tx: Sql): Promise<void> {
    // (TypeORM's partial-entity type has no room for `unknown` JSON values, hence `object`.)
    await tx.manager.insert(ModerationLogEntry, { ...entry, target: entry.target ?? null, details: (entry.details ?? {}) as object });
    await this.webhooks.moderation(tx, entry);
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
  async prune(before: number, tx: Sql): Promise<number> {
    return (await tx.manager.delete(ModerationLogEntry, { at: LessThan(before) })).affected ?? 0;
  }
}
