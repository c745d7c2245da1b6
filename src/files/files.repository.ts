import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, MoreThanOrEqual, Repository } from 'typeorm';
import { on, Sql } from '../database/sql';
import { StoredFile } from './stored-file.entity';

@Injectable()
export class FilesRepository {
  constructor(@InjectRepository(StoredFile) private readonly files: Repository<StoredFile>) {}

  async insert(f: Pick<StoredFile, 'room' | 'uploader' | 'size' | 'uploaded' | 'expiry' | 'filename' | 'path'>, sql?: Sql): Promise<number> {
    const result = await on(this.files, sql).insert(f);
    return (result.identifiers[0] as Pick<StoredFile, 'id'>).id;
  }

  /** The file if it belongs to the room and has not expired by `now`. */
  async findLive(id: number, room: number, now: number, sql?: Sql): Promise<StoredFile | undefined> {
    const live = [{ id, room, expiry: IsNull() }, { id, room, expiry: MoreThanOrEqual(now) }];
    return (await on(this.files, sql).findOneBy(live)) ?? undefined;
  }

  /** Deletes the expired rows and returns their storage keys, for the caller to remove. */
  async deleteExpired(now: number, sql?: Sql): Promise<string[]> {
    const result = await on(this.files, sql).createQueryBuilder().delete().where('expiry < :now', { now }).returning('path').execute();
    return (result.raw as Array<Pick<StoredFile, 'path'>>).map((r) => r.path);
  }
}
