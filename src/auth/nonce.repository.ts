import { Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { User } from '../users/user.entity';
import { RequestNonce } from './request-nonce.entity';

/**
 * Request nonces, unique across every user and every server instance for 24 hours: the primary
 * key does the uniqueness in one round trip, the expiry index makes the cleanup a range delete.
 */
@Injectable()
export class NonceRepository {
  constructor(private readonly db: Db) {}

  /**
   * Every signed request, in one round trip: the signer's user row (if known) and whether the
   * nonce is new (false when anyone used it before). A banned user's nonce is not recorded: the
   * request is refused for the ban before the nonce is judged.
   */
  async recordFor(sessionId: string, nonce: Buffer, expiry: number): Promise<{ user: User | undefined; fresh: boolean }> {
    const row = await this.db.one<User & { nonce_fresh: boolean }>(
      `WITH u AS (SELECT * FROM users WHERE session_id = $1),
            n AS (INSERT INTO user_request_nonces (nonce, "user", expiry)
                  SELECT $2, (SELECT id FROM u), $3 WHERE NOT coalesce((SELECT banned FROM u), false)
                  ON CONFLICT (nonce) DO NOTHING RETURNING 1)
       SELECT u.*, EXISTS (SELECT 1 FROM n) AS nonce_fresh FROM (SELECT) AS one LEFT JOIN u ON true`,
      [sessionId, nonce, expiry],
    );
    const { nonce_fresh: fresh, ...user } = row!;
    return { user: user.id === null ? undefined : user, fresh };
  }

  async deleteExpired(now: number, sql: Sql = this.db): Promise<number> {
    return (await sql.manager.delete(RequestNonce, { expiry: LessThan(now) })).affected ?? 0;
  }
}
