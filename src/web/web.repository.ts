import { Injectable } from '@nestjs/common';
import { Db } from '../database/db';

export interface PublicMessage {
  id: number;
  posted: number;
  session_id: string;
  data: Buffer;
}

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
