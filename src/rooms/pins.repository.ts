import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { PinnedMessage } from './pinned-message.entity';
import { PinInfo } from './room-info';

/**
 * Pinned messages (§7.7), in hand-written SQL: pinning follows the schema's lock order, and the
 * list is part of every room info. The triggers bump info_updates on every pin, re-pin and unpin and make a
 * pinned message's files permanent; restoring their expiry on unpin is done here (it needs config).
 */
@Injectable()
export class PinsRepository {
  constructor(private readonly db: Db) {}

  list(roomId: number, sql: Sql = this.db): Promise<PinInfo[]> {
    return sql.query<PinInfo>(
      `SELECT p.message AS id, p.pinned_at, u.session_id AS pinned_by
       FROM pinned_messages p JOIN users u ON u.id = p.pinned_by
       WHERE p.room = $1 ORDER BY p.pinned_at, p.message`,
      [roomId],
    );
  }

  /**
   * Share-locks a regular message of the room (live, unfiltered, not a whisper) until commit, so
   * that it cannot be deleted before the pin exists; false when there is no such message. The lock
   * is the first one pinning takes, as the schema's lock order wants (message → pin → room).
   */
  async lockPinnable(roomId: number, messageId: number, sql: Sql): Promise<boolean> {
    const row = await sql.one(
      `SELECT id FROM messages
       WHERE room = $1 AND id = $2 AND data IS NOT NULL AND NOT filtered AND whisper IS NULL AND NOT whisper_mods
       FOR SHARE`,
      [roomId, messageId],
    );
    return row !== undefined;
  }

  /** Pins, or re-pins (new pinner and time, which moves it to the end of the list). */
  async pin(roomId: number, messageId: number, userId: number, now: number, sql: Sql): Promise<void> {
    await sql.execute(
      `INSERT INTO pinned_messages (room, message, pinned_by, pinned_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (room, message) DO UPDATE SET pinned_by = EXCLUDED.pinned_by, pinned_at = EXCLUDED.pinned_at`,
      [roomId, messageId, userId, now],
    );
  }

  /** Unpins one message (null: all of the room's); returns the unpinned message ids. */
  async unpin(roomId: number, messageId: number | null, sql: Sql): Promise<number[]> {
    if (messageId === null) {
      // All pin rows first, in one order, and only then the room (through the trigger): deleting
      // them in whatever order the DELETE visits them could deadlock against a concurrent re-pin.
      await sql.query(`SELECT message FROM pinned_messages WHERE room = $1 ORDER BY message FOR UPDATE`, [roomId]);
    }
    const rows = await sql.query<Pick<PinnedMessage, 'message'>>(
      `DELETE FROM pinned_messages WHERE room = $1 AND ($2::bigint IS NULL OR message = $2) RETURNING message`,
      [roomId, messageId],
    );
    return rows.map((r) => r.message);
  }

  /**
   * Files of unpinned messages expire again, counted from their upload (§9.4); `lifetime` null
   * means never. Only files that pinning made permanent (expiry NULL), and never the room image.
   */
  async restoreFileExpiry(messageIds: number[], lifetime: number | null, sql: Sql): Promise<void> {
    if (!messageIds.length || lifetime === null) return; // still NULL: nothing to restore
    await sql.execute(
      `UPDATE files f SET expiry = f.uploaded + $2
       WHERE f.message = ANY($1::bigint[]) AND f.expiry IS NULL
         AND NOT EXISTS (SELECT 1 FROM rooms r WHERE r.image = f.id)`,
      [messageIds, lifetime],
    );
  }
}
