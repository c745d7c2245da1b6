import { Db } from '../database/db';
import { Sql } from '../database/sql';

/** The SQL of the database file storage (`file_chunks`), on the pool or a caller's transaction. */
export class FileChunksRepository {
  constructor(private readonly db: Db) {}

  /** One chunk of an upload still arriving; chunk 0 carries the time the upload began. */
  async insert(key: string, chunk: number, data: Buffer, incomingSince: number | null): Promise<void> {
    await this.db.execute(`INSERT INTO file_chunks (key, chunk, data, incoming_since) VALUES ($1, $2, $3, $4)`, [key, chunk, data, incomingSince]);
  }

  /** Marks an upload complete; false when nothing is incoming under the key (swept or discarded). */
  async markKept(key: string, sql: Sql = this.db): Promise<boolean> {
    return (await sql.execute(`UPDATE file_chunks SET incoming_since = NULL WHERE key = $1 AND chunk = 0 AND incoming_since IS NOT NULL`, [key])) === 1;
  }

  /** How many chunks and bytes are stored under the key (0 chunks: nothing). */
  async extent(key: string): Promise<{ chunks: number; size: number }> {
    const row = await this.db.one<{ chunks: number; size: number }>(
      `SELECT count(*)::int AS chunks, coalesce(sum(octet_length(data)), 0)::bigint AS size FROM file_chunks WHERE key = $1`,
      [key],
    );
    return row!;
  }

  async chunk(key: string, chunk: number): Promise<Buffer | undefined> {
    return (await this.db.one<{ data: Buffer }>(`SELECT data FROM file_chunks WHERE key = $1 AND chunk = $2`, [key, chunk]))?.data;
  }

  async remove(key: string, sql: Sql = this.db): Promise<number> {
    return sql.execute(`DELETE FROM file_chunks WHERE key = $1`, [key]);
  }

  /** Removes every upload still incoming since before `before`; returns how many. */
  async removeIncomingBefore(before: number, sql: Sql): Promise<number> {
    const row = await sql.one<{ uploads: number }>(
      `WITH stale AS (SELECT key FROM file_chunks WHERE incoming_since < $1),
            gone AS (DELETE FROM file_chunks WHERE key IN (SELECT key FROM stale))
       SELECT count(*)::int AS uploads FROM stale`,
      [before],
    );
    return row?.uploads ?? 0;
  }
}
