import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import { Message } from './message.entity';
import { Room } from '../rooms/room.entity';

/** A point in a room's live messages ordered by (posted, id): everything before it goes. */
export interface RetentionBoundary {
  posted: number;
  id: number;
}

export type RoomLimits = Pick<Room, 'id' | 'retention_seconds' | 'max_messages'>;

/**
 * The retention cleanup's SQL. Live messages are found on messages_room_live_posted_idx, which
 * holds no tombstones; they are deleted the way a moderator deletes one (data and signature NULL),
 * so the triggers advance the room's sequence, unpin them, remove their reactions and expire their
 * files.
 */
@Injectable()
export class RetentionRepository {
  /** Rooms with a limit of their own, and with `serverDefault` those following the server setting. */
  roomsWithLimits(serverDefault: boolean, sql: Sql): Promise<RoomLimits[]> {
    return sql.query<RoomLimits>(
      `SELECT id, retention_seconds, max_messages FROM rooms
       WHERE max_messages IS NOT NULL OR retention_seconds > 0 OR ($1::boolean AND retention_seconds IS NULL)
       ORDER BY id`,
      [serverDefault],
    );
  }

  /** The `n`th newest live message (whispers and filtered ones count), if the room has that many. */
  nthNewest(room: number, n: number, sql: Sql): Promise<RetentionBoundary | undefined> {
    return sql.one<RetentionBoundary>(
      `SELECT posted, id FROM messages WHERE room = $1 AND data IS NOT NULL
       ORDER BY posted DESC, id DESC OFFSET $2 LIMIT 1`,
      [room, n - 1],
    );
  }

  /**
   * Tombstones the oldest `limit` live messages before `before`; returns their ids. The rows are
   * locked in id order first, as the schema's lock order asks of statements changing several.
   */
  async softDeleteBefore(room: number, before: RetentionBoundary, limit: number, edited: number, sql: Sql): Promise<number[]> {
    const rows = await sql.query<Pick<Message, 'id'>>(
      // An array, not IN (subquery): the planner then locks them through the primary key rather
      // than hash-joining every live message of the table.
      `SELECT id FROM messages WHERE id = ANY(ARRAY(
           SELECT id FROM messages WHERE room = $1 AND data IS NOT NULL AND (posted, id) < ($2, $3)
           ORDER BY posted, id LIMIT $4))
         AND data IS NOT NULL
       ORDER BY id FOR NO KEY UPDATE`,
      [room, before.posted, before.id, limit],
    );
    if (!rows.length) return [];
    const deleted = await sql.query<Pick<Message, 'id'>>(
      `UPDATE messages SET data = NULL, data_size = NULL, signature = NULL, edited = $2
       WHERE id = ANY($1::bigint[]) AND data IS NOT NULL RETURNING id`,
      [rows.map((r) => r.id), edited],
    );
    return deleted.map((r) => r.id);
  }

  /** Their edit history and the deleted version the trigger has just kept. */
  async deleteHistory(ids: number[], sql: Sql): Promise<void> {
    await sql.execute(`DELETE FROM message_history WHERE message = ANY($1::bigint[])`, [ids]);
  }

  /** Forgets the oldest `limit` versions replaced before `before`; returns how many. */
  pruneHistory(before: number, limit: number, sql: Sql): Promise<number> {
    return sql.execute(
      `DELETE FROM message_history WHERE id = ANY(ARRAY(
         SELECT id FROM message_history WHERE replaced < $1 ORDER BY replaced LIMIT $2))`,
      [before, limit],
    );
  }
}
