import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Sql } from '../database/sql';

/**
 * Request nonces, unique across every user and every server instance for 24 hours: the primary
 * key does the uniqueness in one round trip, the expiry index makes the cleanup a range delete.
 */
@Injectable()
export class NonceRepository {
  constructor(private readonly db: Db) {}

  /** False when the nonce was seen before (by anyone). */
  async record(nonce: Buffer, userId: number | null, expiry: number): Promise<boolean> {
    const inserted = await this.db.execute(
      `INSERT INTO user_request_nonces (nonce, "user", expiry) VALUES ($1, $2, $3) ON CONFLICT (nonce) DO NOTHING`,
      [nonce, userId, expiry],
    );
    return inserted === 1;
  }

  deleteExpired(now: number, sql: Sql = this.db): Promise<number> {
    return sql.execute(`DELETE FROM user_request_nonces WHERE expiry < $1`, [now]);
  }
}
