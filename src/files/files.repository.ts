import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { StoredFile } from './stored-file';

const COLUMNS = 'id, room, uploader, message, size, uploaded, expiry, filename, path';

@Injectable()
export class FilesRepository {
  constructor(private readonly db: Db) {}

  async insert(
    f: { room: number; uploader: number; size: number; uploaded: number; expiry: number; filename: string | null; path: string },
    sql: Sql = this.db,
  ): Promise<number> {
    const row = await sql.one<{ id: number }>(
      `INSERT INTO files (room, uploader, size, uploaded, expiry, filename, path)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [f.room, f.uploader, f.size, f.uploaded, f.expiry, f.filename, f.path],
    );
    return row!.id;
  }

  /** The file if it belongs to the room and has not expired by `now`. */
  findLive(id: number, room: number, now: number, sql: Sql = this.db): Promise<StoredFile | undefined> {
    return sql.one<StoredFile>(
      `SELECT ${COLUMNS} FROM files WHERE id = $1 AND room = $2 AND (expiry IS NULL OR expiry >= $3)`,
      [id, room, now],
    );
  }

  /** Deletes the expired rows and returns their storage keys, for the caller to remove. */
  async deleteExpired(now: number, sql: Sql = this.db): Promise<string[]> {
    const rows = await sql.query<{ path: string }>(`DELETE FROM files WHERE expiry < $1 RETURNING path`, [now]);
    return rows.map((r) => r.path);
  }
}
