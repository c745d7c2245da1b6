import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';

@Injectable()
export class RoomWelcomesRepository {
  constructor(private readonly db: Db) {}

  /**
   * Records that `user` is welcomed in `room`; false when that was done before (by any instance:
   * the primary key decides) or when the user is a bot, which is never welcomed.
   */
  async claim(room: number, user: number, now: number): Promise<boolean> {
    const row = await this.db.one(
      `INSERT INTO room_welcomes (room, "user", at)
       SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM bots WHERE "user" = $2)
       ON CONFLICT DO NOTHING RETURNING room`,
      [room, user, now],
    );
    return row !== undefined;
  }

  /** Gives the claim back when the welcome could not be sent, so a later visit tries again. */
  async release(room: number, user: number): Promise<void> {
    await this.db.execute(`DELETE FROM room_welcomes WHERE room = $1 AND "user" = $2`, [room, user]);
  }
}
