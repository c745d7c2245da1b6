import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Sql } from '../database/sql';

export interface DirectMessageRow {
  id: number;
  posted_at: number;
  expires_at: number | null;
  sender: string;
  recipient: string;
  body: Buffer;
}

const SELECT = `SELECT i.id, i.posted_at, i.expiry AS expires_at, s.session_id AS sender, r.session_id AS recipient, i.body
  FROM inbox i JOIN users s ON s.id = i.sender JOIN users r ON r.id = i.recipient`;

/** Inbox and outbox are two views of one table (deleting from an inbox empties the sender's outbox too). */
@Injectable()
export class DmRepository {
  constructor(private readonly db: Db) {}

  insert(senderId: number, recipientId: number, body: Buffer, postedAt: number, expiry: number): Promise<DirectMessageRow> {
    return this.db
      .one<DirectMessageRow>(
        `WITH i AS (INSERT INTO inbox (sender, recipient, body, posted_at, expiry) VALUES ($1, $2, $3, $4, $5) RETURNING *)
         ${SELECT.replace('FROM inbox i', 'FROM i')}`,
        [senderId, recipientId, body, postedAt, expiry],
      )
      .then((row) => row!);
  }

  /** Oldest first, after `afterId` (0 = from the start). */
  list(box: 'inbox' | 'outbox', userId: number, afterId: number, limit: number): Promise<DirectMessageRow[]> {
    const column = box === 'inbox' ? 'recipient' : 'sender';
    return this.db.query<DirectMessageRow>(`${SELECT} WHERE i.${column} = $1 AND i.id > $2 ORDER BY i.id LIMIT $3`, [
      userId,
      afterId,
      limit,
    ]);
  }

  deleteInbox(userId: number): Promise<number> {
    return this.db.execute(`DELETE FROM inbox WHERE recipient = $1`, [userId]);
  }

  deleteExpired(now: number, sql: Sql): Promise<number> {
    return sql.execute(`DELETE FROM inbox WHERE expiry < $1`, [now]);
  }
}
