import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, Repository } from 'typeorm';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { DirectMessage } from './direct-message.entity';

/** A direct message as the endpoints show it: sender and recipient by session id. */
export interface DirectMessageRow extends Pick<DirectMessage, 'id' | 'posted_at' | 'body'> {
  expires_at: number | null;
  sender: string;
  recipient: string;
}

const SELECT = `SELECT i.id, i.posted_at, i.expiry AS expires_at, s.session_id AS sender, r.session_id AS recipient, i.body
  FROM inbox i JOIN users s ON s.id = i.sender JOIN users r ON r.id = i.recipient`;

/** Inbox and outbox are two views of one table (deleting from an inbox empties the sender's outbox too). */
@Injectable()
export class DmRepository {
  constructor(
    @InjectRepository(DirectMessage) private readonly messages: Repository<DirectMessage>,
    private readonly db: Db,
  ) {}

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

  sentSince(senderId: number, since: number): Promise<number> {
    return this.messages.countBy({ sender: senderId, posted_at: MoreThan(since) });
  }

  /**
   * The rooms sender and recipient share (the recipient is a member; the sender is a member or was
   * banned there, since a ban drops the sender's membership): how many, in how many the sender is
   * banned, and whether a room where the sender is banned has the DM switch on.
   */
  sharedRooms(senderId: number, recipientId: number): Promise<{ shared: number; banned_in: number; room_switch: boolean }> {
    return this.db
      .one<{ shared: number; banned_in: number; room_switch: boolean | null }>(
        `WITH shared AS (
           SELECT r.dm_refuse_banned,
                  EXISTS (SELECT 1 FROM user_permission_overrides o WHERE o.room = r.id AND o."user" = $1 AND o.banned) AS banned
           FROM rooms r
           WHERE EXISTS (SELECT 1 FROM room_users ru WHERE ru.room = r.id AND ru."user" = $2)
             AND (EXISTS (SELECT 1 FROM room_users ru WHERE ru.room = r.id AND ru."user" = $1)
                  OR EXISTS (SELECT 1 FROM user_permission_overrides o WHERE o.room = r.id AND o."user" = $1 AND o.banned)))
         SELECT count(*)::int AS shared, (count(*) FILTER (WHERE banned))::int AS banned_in,
                coalesce(bool_or(banned AND dm_refuse_banned), false) AS room_switch
         FROM shared`,
        [senderId, recipientId],
      )
      .then((r) => ({ shared: r!.shared, banned_in: r!.banned_in, room_switch: !!r!.room_switch }));
  }

  async deleteInbox(userId: number): Promise<number> {
    return (await this.messages.delete({ recipient: userId })).affected ?? 0;
  }

  async deleteExpired(now: number, sql: Sql): Promise<number> {
    return (await sql.manager.delete(DirectMessage, { expiry: LessThan(now) })).affected ?? 0;
  }
}
