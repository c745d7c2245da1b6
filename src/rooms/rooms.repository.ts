import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Db } from '../database/db';
import { on, Sql } from '../database/sql';
import { PermissionOverride } from '../moderation/permission-override.entity';
import { PermissionFlags, RoomFilterChanges, RoomRetentionChanges } from './room';
import { Room } from './room.entity';

export type RoomChanges = Partial<Pick<Room, 'name' | 'description' | 'image' | 'dm_refuse_banned' | 'welcome' | 'filter_reply'>> & PermissionFlags & RoomFilterChanges & RoomRetentionChanges;

@Injectable()
export class RoomsRepository {
  constructor(
    @InjectRepository(Room) private readonly rooms: Repository<Room>,
    private readonly db: Db,
  ) {}

  /**
   * Case-insensitive lookup; the row carries the stored spelling. Every room request starts
   * here, so it is SQL on the `lower(token)` index rather than a query builder.
   */
  findByToken(token: string, sql: Sql = this.db): Promise<Room | undefined> {
    return sql.one<Room>(`SELECT * FROM rooms WHERE lower(token) = lower($1)`, [token]);
  }

  /**
   * The room and the user's override row in it, in one round trip: what every room request needs
   * before its permission check.
   */
  async findWithOverride(token: string, userId: number | null): Promise<{ room: Room; override: PermissionOverride | undefined } | undefined> {
    const row = await this.db.one<Room & { override: PermissionOverride | null }>(
      `SELECT r.*, CASE WHEN o.room IS NULL THEN NULL ELSE row_to_json(o) END AS override
       FROM rooms r LEFT JOIN user_permission_overrides o ON o.room = r.id AND o."user" = $2
       WHERE lower(r.token) = lower($1)`,
      [token, userId],
    );
    if (!row) return undefined;
    const { override, ...room } = row;
    return { room, override: override ?? undefined };
  }

  /** By token ignoring case, in code point order whatever the database collation. */
  listAll(sql?: Sql): Promise<Room[]> {
    return on(this.rooms, sql).createQueryBuilder('r').orderBy('lower(r.token) COLLATE "C"').addOrderBy('r.token COLLATE "C"').getMany();
  }

  /** Returns undefined when the token is taken (ignoring case). */
  async insert(
    room: Pick<Room, 'token' | 'name' | 'description' | 'created'> & Required<PermissionFlags> & RoomRetentionChanges,
    sql?: Sql,
  ): Promise<Room | undefined> {
    const result = await on(this.rooms, sql).createQueryBuilder().insert().values(room).orIgnore().returning('*').execute();
    return (result.raw as Room[])[0];
  }

  /** Applies the given changes (undefined: unchanged) and returns the row as it is now. */
  async update(id: number, changes: RoomChanges, sql?: Sql): Promise<Room> {
    const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    if (!Object.keys(set).length) return (await this.findById(id, sql))!;
    const result = await on(this.rooms, sql).createQueryBuilder().update().set(set).where({ id }).returning('*').execute();
    return (result.raw as Room[])[0];
  }

  async findById(id: number, sql?: Sql): Promise<Room | undefined> {
    return (await on(this.rooms, sql).findOneBy({ id })) ?? undefined;
  }

  /**
   * Whether file `fileId` was uploaded to room `roomId`, key-share-locking it until commit so that
   * the cleanup job cannot delete it before the room refers to it.
   */
  async lockRoomFile(fileId: number, roomId: number, sql: Sql): Promise<boolean> {
    return (await sql.one(`SELECT id FROM files WHERE id = $1 AND room = $2 FOR KEY SHARE`, [fileId, roomId])) !== undefined;
  }

  async delete(id: number, sql?: Sql): Promise<number> {
    return (await on(this.rooms, sql).delete({ id })).affected ?? 0;
  }

  /** Per-room totals for `rooms list`. */
  stats(id: number, sql: Sql = this.db): Promise<{ messages: number; files: number; file_bytes: number } | undefined> {
    return sql.one(
      `SELECT (SELECT count(*) FROM messages WHERE room = $1 AND data IS NOT NULL) AS messages,
              (SELECT count(*) FROM files WHERE room = $1) AS files,
              (SELECT coalesce(sum(size), 0)::bigint FROM files WHERE room = $1) AS file_bytes`,
      [id],
    );
  }
}
