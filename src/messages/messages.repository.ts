import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { Message } from './message.entity';
import { MessageRow } from './message-format';

/** Who is reading: whispers and filtered messages are hidden by these. */
export interface Viewer {
  userId: number | null;
  moderator: boolean;
}

const SELECT = `SELECT m.id, a.session_id, m.posted, m.edited, m.seqno, m.data, m.signature, m.whisper_mods,
    w.session_id AS whisper_to`;
const FROM = `FROM messages m JOIN users a ON a.id = m."user" LEFT JOIN users w ON w.id = m.whisper`;

/**
 * Messages are read on every poll and written under the schema's lock order (see the initial
 * migration), so every statement here is hand-written SQL.
 *
 * §7.2 visibility, with $2 = viewer's user id (NULL when anonymous) and $3 = viewer is a moderator:
 * everyone sees public messages and whispers to themselves; moderators also see whispers to mods
 * and their own whispers; filtered messages are nobody's.
 */
const VISIBLE = `NOT m.filtered
    AND ((m.whisper IS NULL AND NOT m.whisper_mods) OR m.whisper = $2
         OR ($3::boolean AND (m.whisper_mods OR m."user" = $2)))`;

/** A post as stored: its content, its whisper flags and whether it was silently filtered (§7.8). */
export type NewMessage = Pick<Message, 'room' | 'user' | 'posted' | 'whisper' | 'whisper_mods' | 'filtered'> & { data: Buffer; signature: Buffer };

@Injectable()
export class MessagesRepository {
  constructor(private readonly db: Db) {}

  /**
   * Messages whose seqno moved past `after` (§7.4), ascending, on the (room, seqno) index. Without
   * reaction updates only data changes count; tombstones only for messages the caller could know.
   */
  since(room: number, viewer: Viewer, after: number, limit: number, withReactionUpdates: boolean): Promise<MessageRow[]> {
    return this.db.query<MessageRow>(
      `${SELECT}, m.seqno_data <= $4 AS reaction_only ${FROM}
       WHERE m.room = $1 AND m.seqno > $4
         ${withReactionUpdates ? '' : 'AND m.seqno_data > $4'}
         AND (m.data IS NOT NULL OR m.seqno_creation <= $4)
         AND ${VISIBLE}
       ORDER BY m.seqno LIMIT $5`,
      [room, viewer.userId, viewer.moderator, after, limit],
    );
  }

  /** Live messages, newest first; only those with an id below `beforeId` when given. */
  latest(room: number, viewer: Viewer, beforeId: number | null, limit: number): Promise<MessageRow[]> {
    return this.db.query<MessageRow>(
      `${SELECT} ${FROM}
       WHERE m.room = $1 AND m.data IS NOT NULL AND ($4::bigint IS NULL OR m.id < $4) AND ${VISIBLE}
       ORDER BY m.id DESC LIMIT $5`,
      [room, viewer.userId, viewer.moderator, beforeId, limit],
    );
  }

  findVisible(room: number, viewer: Viewer, id: number): Promise<MessageRow | undefined> {
    return this.db.one<MessageRow>(
      `${SELECT} ${FROM} WHERE m.room = $1 AND m.id = $4 AND m.data IS NOT NULL AND ${VISIBLE}`,
      [room, viewer.userId, viewer.moderator, id],
    );
  }

  insert(m: NewMessage, sql: Sql): Promise<Pick<Message, 'id' | 'seqno'>> {
    return sql
      .one<Pick<Message, 'id' | 'seqno'>>(
        `INSERT INTO messages (room, "user", posted, data, data_size, signature, whisper, whisper_mods, filtered)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, seqno`,
        [m.room, m.user, m.posted, m.data, m.data.length, m.signature, m.whisper, m.whisper_mods, m.filtered],
      )
      .then((row) => row!);
  }

  /**
   * Holds the room's counter row until commit, so the rate-limit count and the insert it allows
   * are one step for concurrent posts (the insert trigger takes this lock anyway).
   */
  async lockRoom(room: number, sql: Sql): Promise<void> {
    await sql.query(`SELECT id FROM rooms WHERE id = $1 FOR NO KEY UPDATE`, [room]);
  }

  /** Everything the user inserted in the room after `since`, deleted and filtered posts included. */
  async countPostsSince(room: number, user: number, since: number, sql: Sql): Promise<number> {
    const row = await sql.one<{ n: number }>(
      `SELECT count(*) AS n FROM messages WHERE "user" = $1 AND room = $2 AND posted > $3`,
      [user, room, since],
    );
    return row!.n;
  }

  /** The message row locked for an edit or deletion (taken first: message before room). */
  lockForChange(room: number, id: number, sql: Sql): Promise<(Pick<Message, 'user'> & { deleted: boolean }) | undefined> {
    return sql.one(`SELECT "user", data IS NULL AS deleted FROM messages WHERE room = $1 AND id = $2 FOR NO KEY UPDATE`, [room, id]);
  }

  /** `edited` goes in the same UPDATE: the history trigger requires it. */
  async replaceData(id: number, data: Buffer, signature: Buffer, edited: number, sql: Sql): Promise<void> {
    await sql.execute(`UPDATE messages SET data = $2, data_size = $3, signature = $4, edited = $5 WHERE id = $1`, [
      id,
      data,
      data.length,
      signature,
      edited,
    ]);
  }

  /** A tombstone; the triggers unpin it, remove its reactions and expire its files. */
  async softDelete(id: number, edited: number, sql: Sql): Promise<void> {
    await sql.execute(
      `UPDATE messages SET data = NULL, data_size = NULL, signature = NULL, edited = $2 WHERE id = $1 AND data IS NOT NULL`,
      [id, edited],
    );
  }

  /** Tombstones every live message of a user in a room, locking the rows in id order first; their ids. */
  async softDeleteAllBy(room: number, user: number, edited: number, sql: Sql): Promise<number[]> {
    const rows = await sql.query<Pick<Message, 'id'>>(
      `SELECT id FROM messages WHERE room = $1 AND "user" = $2 AND data IS NOT NULL ORDER BY id FOR NO KEY UPDATE`,
      [room, user],
    );
    if (!rows.length) return [];
    const deleted = await sql.query<Pick<Message, 'id'>>(
      `UPDATE messages SET data = NULL, data_size = NULL, signature = NULL, edited = $2 WHERE id = ANY($1::bigint[]) AND data IS NOT NULL RETURNING id`,
      [rows.map((r) => r.id), edited],
    );
    return deleted.map((r) => r.id).sort((a, b) => a - b);
  }

  /** Expires everything the user uploaded to the room, except the room's current image. */
  async expireUploadsOf(room: number, user: number, sql: Sql): Promise<void> {
    await sql.execute(
      `UPDATE files SET expiry = 0 WHERE room = $1 AND uploader = $2
         AND id IS DISTINCT FROM (SELECT image FROM rooms WHERE id = $1)`,
      [room, user],
    );
  }

  /** A message anyone may react to: live, not filtered, not a whisper. */
  async isRegular(room: number, id: number, sql: Sql = this.db): Promise<boolean> {
    const row = await sql.one(
      `SELECT 1 FROM messages
       WHERE room = $1 AND id = $2 AND data IS NOT NULL AND NOT filtered AND whisper IS NULL AND NOT whisper_mods`,
      [room, id],
    );
    return row !== undefined;
  }

  async seqno(id: number, sql: Sql = this.db): Promise<number> {
    const row = await sql.one<Pick<Message, 'seqno'>>(`SELECT seqno FROM messages WHERE id = $1`, [id]);
    return row!.seqno;
  }

  /**
   * §9.3: attaches the uploads that qualify (same room and uploader, not attached yet, uploaded
   * within the last hour, still expiring); the others are left alone without an error.
   */
  attachFiles(
    a: { message: number; room: number; uploader: number; fileIds: number[]; uploadedAfter: number; expiry: number | null },
    sql: Sql,
  ): Promise<number> {
    return sql.execute(
      `UPDATE files SET message = $1, expiry = $6
       WHERE id = ANY($4::bigint[]) AND room = $2 AND uploader = $3 AND message IS NULL
         AND uploaded >= $5 AND expiry IS NOT NULL`,
      [a.message, a.room, a.uploader, a.fileIds, a.uploadedAfter, a.expiry],
    );
  }
}
