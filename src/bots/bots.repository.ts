import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Db } from '../database/db';
import { on, Sql } from '../database/sql';
import { BotRoom } from './bot-room.entity';
import { Bot } from './bot.entity';

/** A bot as listed: its user's id and the tokens of the rooms it is limited to. */
export interface BotListing extends Bot {
  session_id: string;
  rooms: string[];
}

@Injectable()
export class BotsRepository {
  constructor(
    @InjectRepository(Bot) private readonly bots: Repository<Bot>,
    @InjectRepository(BotRoom) private readonly botRooms: Repository<BotRoom>,
    private readonly db: Db,
  ) {}

  /** Undefined when the name is taken. */
  async insert(bot: Pick<Bot, 'name' | 'user' | 'display_name' | 'all_rooms' | 'created'>, sql?: Sql): Promise<Bot | undefined> {
    const result = await on(this.bots, sql).createQueryBuilder().insert().values(bot).orIgnore().returning('*').execute();
    return (result.raw as Bot[])[0];
  }

  async addRooms(bot: number, rooms: number[], sql?: Sql): Promise<void> {
    if (rooms.length) await on(this.botRooms, sql).createQueryBuilder().insert().values(rooms.map((room) => ({ bot, room }))).orIgnore().execute();
  }

  findByName(name: string, sql: Sql = this.db): Promise<Bot | undefined> {
    return sql.one<Bot>(`SELECT * FROM bots WHERE name = $1`, [name]);
  }

  /** Every bot API request looks its bot up by the token's hash (a unique index). */
  findByTokenHash(hash: Buffer): Promise<Bot | undefined> {
    return this.db.one<Bot>(`SELECT * FROM bots WHERE token_hash = $1`, [hash]);
  }

  async setTokenHash(id: number, hash: Buffer | null, sql?: Sql): Promise<void> {
    await on(this.bots, sql).update({ id }, { token_hash: hash });
  }

  async mayActIn(bot: Bot, room: number): Promise<boolean> {
    if (bot.all_rooms) return true;
    return (await this.db.one(`SELECT 1 FROM bot_rooms WHERE bot = $1 AND room = $2`, [bot.id, room])) !== undefined;
  }

  list(): Promise<BotListing[]> {
    return this.db.query<BotListing>(
      `SELECT b.*, u.session_id,
              ARRAY(SELECT r.token FROM bot_rooms br JOIN rooms r ON r.id = br.room WHERE br.bot = b.id ORDER BY r.token) AS rooms
       FROM bots b JOIN users u ON u.id = b."user" ORDER BY b.name`,
    );
  }

  /** The removed bot, or undefined when there was none of that name. */
  async delete(name: string, sql: Sql = this.db): Promise<Bot | undefined> {
    return sql.one<Bot>(`DELETE FROM bots WHERE name = $1 RETURNING *`, [name]);
  }
}
