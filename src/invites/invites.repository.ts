import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Db } from '../database/db';
import { on, Sql } from '../database/sql';
import { Room } from '../rooms/room.entity';
import { RoomInvite } from './room-invite.entity';

/** An invite as listed: its room's token and its creator's session id in place of row ids. */
export interface InviteRow extends Omit<RoomInvite, 'code_hash' | 'room' | 'created_by'> {
  room: string;
  created_by: string | null;
}

@Injectable()
export class InvitesRepository {
  constructor(
    @InjectRepository(RoomInvite) private readonly invites: Repository<RoomInvite>,
    private readonly db: Db,
  ) {}

  async insert(values: Omit<RoomInvite, 'id' | 'uses' | 'revoked'>, sql?: Sql): Promise<RoomInvite> {
    const { identifiers } = await on(this.invites, sql).insert(values);
    return (await on(this.invites, sql).findOneByOrFail({ id: identifiers[0].id as number }));
  }

  /** The invite with this code hash and its room; row-locked until the transaction ends. */
  async lockByHash(hash: Buffer, tx: Sql): Promise<{ invite: RoomInvite; room: Room } | undefined> {
    const invite = await tx.one<RoomInvite>(`SELECT * FROM room_invites WHERE code_hash = $1 FOR UPDATE`, [hash]);
    if (!invite) return undefined;
    const room = await tx.one<Room>(`SELECT * FROM rooms WHERE id = $1`, [invite.room]);
    return room && { invite, room };
  }

  /** The same, without a lock: what the invite page shows before anything is redeemed. */
  async findByHash(hash: Buffer, sql: Sql = this.db): Promise<{ invite: RoomInvite; room: Room } | undefined> {
    const invite = await sql.one<RoomInvite>(`SELECT * FROM room_invites WHERE code_hash = $1`, [hash]);
    if (!invite) return undefined;
    const room = await sql.one<Room>(`SELECT * FROM rooms WHERE id = $1`, [invite.room]);
    return room && { invite, room };
  }

  async countUse(id: number, tx: Sql): Promise<void> {
    await tx.execute(`UPDATE room_invites SET uses = uses + 1 WHERE id = $1`, [id]);
  }

  /** Invite `id` (only in that room, when given) and its room, row-locked until the transaction ends. */
  async lockById(id: number, roomId: number | null, tx: Sql): Promise<{ invite: RoomInvite; room: Room } | undefined> {
    const invite = await tx.one<RoomInvite>(`SELECT * FROM room_invites WHERE id = $1 AND ($2::bigint IS NULL OR room = $2) FOR UPDATE`, [id, roomId]);
    if (!invite) return undefined;
    const room = await tx.one<Room>(`SELECT * FROM rooms WHERE id = $1`, [invite.room]);
    return room && { invite, room };
  }

  async revoke(id: number, now: number, tx: Sql): Promise<void> {
    await tx.execute(`UPDATE room_invites SET revoked = $2 WHERE id = $1 AND revoked IS NULL`, [id, now]);
  }

  /** Invites of one room (or of every room), or the one with id `id`, newest first. */
  list(where: { room?: number; id?: number }, sql: Sql = this.db): Promise<InviteRow[]> {
    return sql.query<InviteRow>(
      `SELECT i.id, r.token AS room, i.read, i.write, i.upload, i.max_uses, i.uses, i.expires, i.created,
              u.session_id AS created_by, i.revoked
         FROM room_invites i JOIN rooms r ON r.id = i.room LEFT JOIN users u ON u.id = i.created_by
        WHERE ($1::bigint IS NULL OR i.room = $1) AND ($2::bigint IS NULL OR i.id = $2)
        ORDER BY i.id DESC`,
      [where.room ?? null, where.id ?? null],
    );
  }
}
