import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { PermissionFlags, Room, RoomFilterChanges } from './room';

const COLUMNS = `id, token, name, description, image, created, message_sequence, info_updates, active_users,
  read, accessible, write, upload, dm_refuse_banned, profanity_filter, profanity_silent, alphabet_filters, alphabet_silent`;

@Injectable()
export class RoomsRepository {
  constructor(private readonly db: Db) {}

  /** Case-insensitive lookup; the row carries the stored spelling. */
  findByToken(token: string, sql: Sql = this.db): Promise<Room | undefined> {
    return sql.one<Room>(`SELECT ${COLUMNS} FROM rooms WHERE lower(token) = lower($1)`, [token]);
  }

  /** By token ignoring case, in code point order whatever the database collation. */
  listAll(sql: Sql = this.db): Promise<Room[]> {
    return sql.query<Room>(`SELECT ${COLUMNS} FROM rooms ORDER BY lower(token) COLLATE "C", token COLLATE "C"`);
  }

  /** Returns undefined when the token is taken (ignoring case). */
  insert(
    room: { token: string; name: string; description: string | null; created: number } & Required<PermissionFlags>,
    sql: Sql = this.db,
  ): Promise<Room | undefined> {
    return sql.one<Room>(
      `INSERT INTO rooms (token, name, description, created, read, accessible, write, upload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [room.token, room.name, room.description, room.created, room.read, room.accessible, room.write, room.upload],
    );
  }

  async update(
    id: number,
    changes: { name?: string; description?: string | null; image?: number; dm_refuse_banned?: boolean } & PermissionFlags & RoomFilterChanges,
    sql: Sql = this.db,
  ): Promise<Room> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [column, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      params.push(value);
      sets.push(`"${column}" = $${params.length}`);
    }
    if (!sets.length) return (await this.findById(id, sql))!;
    return (await sql.one<Room>(`UPDATE rooms SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, params))!;
  }

  findById(id: number, sql: Sql = this.db): Promise<Room | undefined> {
    return sql.one<Room>(`SELECT ${COLUMNS} FROM rooms WHERE id = $1`, [id]);
  }

  /**
   * Whether file `fileId` was uploaded to room `roomId`, key-share-locking it until commit so that
   * the cleanup job cannot delete it before the room refers to it.
   */
  async lockRoomFile(fileId: number, roomId: number, sql: Sql): Promise<boolean> {
    return (await sql.one(`SELECT id FROM files WHERE id = $1 AND room = $2 FOR KEY SHARE`, [fileId, roomId])) !== undefined;
  }

  delete(id: number, sql: Sql = this.db): Promise<number> {
    return sql.execute(`DELETE FROM rooms WHERE id = $1`, [id]);
  }

  /** Per-room totals for `rooms list`. */
  stats(id: number, sql: Sql = this.db): Promise<{ messages: number; files: number; file_bytes: number } | undefined> {
    return sql.one(
      `SELECT (SELECT count(*) FROM messages WHERE room = $1 AND data IS NOT NULL) AS messages,
              (SELECT count(*) FROM files WHERE room = $1) AS files,
              (SELECT coalesce(sum(size), 0)::bigint FROM files WHERE room = $1) AS file_bytes`,
      [id],
    );
  }
}
