import { Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { RoomUser } from './room-user.entity';

@Injectable()
export class RoomActivityRepository {
  constructor(private readonly db: Db) {}

  /** On the poll path (throttled by the service): one statement. */
  async upsert(roomId: number, userId: number, now: number): Promise<void> {
    await this.db.execute(
      `INSERT INTO room_users (room, "user", last_active) VALUES ($1, $2, $3)
       ON CONFLICT (room, "user") DO UPDATE SET last_active = EXCLUDED.last_active
       WHERE room_users.last_active < EXCLUDED.last_active`,
      [roomId, userId, now],
    );
  }

  async prune(before: number, sql: Sql): Promise<number> {
    return (await sql.manager.delete(RoomUser, { last_active: LessThan(before) })).affected ?? 0;
  }

  /** Refreshes every room's cached active_users; only rooms whose count changed are written. */
  refreshCounts(since: number, sql: Sql): Promise<number> {
    return sql.execute(
      `UPDATE rooms r SET active_users = c.n
       FROM (SELECT r2.id, count(ru."user") AS n FROM rooms r2
             LEFT JOIN room_users ru ON ru.room = r2.id AND ru.last_active >= $1
             GROUP BY r2.id) c
       WHERE c.id = r.id AND r.active_users <> c.n`,
      [since],
    );
  }
}
