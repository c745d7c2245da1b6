import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';

@Injectable()
export class FilterRepliesRepository {
  constructor(private readonly db: Db) {}

  /**
   * Claims the right to answer `user` in `room` now: false when they were answered less than
   * `interval` seconds ago (by any instance: the row is updated only when older).
   */
  async claim(room: number, user: number, now: number, interval: number): Promise<boolean> {
    const row = await this.db.one(
      `INSERT INTO filter_replies (room, "user", at) VALUES ($1, $2, $3)
       ON CONFLICT (room, "user") DO UPDATE SET at = EXCLUDED.at WHERE filter_replies.at <= EXCLUDED.at - $4::float8
       RETURNING room`,
      [room, user, now, interval],
    );
    return row !== undefined;
  }
}
