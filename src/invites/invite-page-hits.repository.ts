import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { InvitePageHit } from './invite-page-hit.entity';

/** The invite pages' request counts per address and window (see InviteRateLimiter). */
@Injectable()
export class InvitePageHitsRepository {
  constructor(private readonly db: Db) {}

  /** Counts one more request of `address` in `window`; returns the window's count, this one included. */
  async count(address: Buffer, window: number): Promise<number> {
    const row = await this.db.one<Pick<InvitePageHit, 'hits'>>(
      `INSERT INTO invite_page_hits (address, "window", hits) VALUES ($1, $2, 1)
       ON CONFLICT (address, "window") DO UPDATE SET hits = invite_page_hits.hits + 1
       RETURNING hits`,
      [address, window],
    );
    return row!.hits;
  }

  /** Cleanup: the windows before `window`. */
  prune(window: number, tx: Sql): Promise<number> {
    return tx.execute(`DELETE FROM invite_page_hits WHERE "window" < $1`, [window]);
  }
}
