import { Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { RequestNonce } from './request-nonce.entity';

/**
 * Request nonces, unique across every user and every server instance for 24 hours: the primary
 * key does the uniqueness in one round trip, the expiry index makes the cleanup a range delete.
 */
@Injectable()
export class NonceRepository {
  constructor(private readonly db: Db) {}

  /** False when the nonce was seen before (by anyone). Every signed request: SQL, one round trip. */
  async record(nonce: Buffer, userId: number | null, expiry: number): Promise<boolean> {
    const inserted = await this.db.execute(
      `INSERT INTO user_request_nonces (nonce, "user", expiry) VALUES ($1, $2, $3) ON CONFLICT (nonce) DO NOTHING`,
      [nonce, userId, expiry],
    );
    return inserted === 1;
  }

  async deleteExpired(now: number, sql: Sql = this.db): Promise<number> {
    return (await sql.manager.delete(RequestNonce, { expiry: LessThan(now) })).affected ?? 0;
  }
}
