import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';
import { Message } from '../messages/message.entity';
import { User } from '../users/user.entity';

/** A live public message with its author's session id. */
export type PublicMessage = Pick<Message, 'id' | 'posted'> & Pick<User, 'session_id'> & { data: Buffer };

@Injectable()
export class WebRepository {
  constructor(private readonly db: Db) {}

  /** The newest messages anyone may read: not deleted, not filtered, not whispers. */
  recentPublicMessages(roomId: number, limit: number): Promise<PublicMessage[]> {
    return this.db.query<PublicMessage>(
      `SELECT m.id, m.posted, u.session_id, m.data FROM messages m JOIN users u ON u.id = m."user"
       WHERE m.room = $1 AND m.data IS NOT NULL AND NOT m.filtered AND m.whisper IS NULL AND NOT m.whisper_mods
       ORDER BY m.id DESC LIMIT $2`,
      [roomId, limit],
    );
  }
}
