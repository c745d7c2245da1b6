import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Clock } from '../common/clock';
import { InvalidInput, NotFound } from '../common/errors';
import { Db } from '../database/db';
import { ServerKey } from '../keys/server-key';
import { cleanRoomDescription, cleanRoomName, PermissionFlags, Room, RoomFilterChanges, ROOM_TOKEN } from './room';
import { RoomsRepository } from './rooms.repository';

export class RoomExists extends InvalidInput {}

/** The same answer for a room that does not exist and one the caller may not see. */
export function roomNotFound(token: string): NotFound {
  return new NotFound(`no such room: ${token}`);
}

@Injectable()
export class RoomsService {
  constructor(
    private readonly rooms: RoomsRepository,
    private readonly clock: Clock,
    private readonly serverKey: ServerKey,
    private readonly db: Db,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /** `{base_url}/{token}?public_key={hex}`: what a Session client joins from. */
  joinUrl(room: Pick<Room, 'token'>): string {
    return `${this.config.baseUrl}/${room.token}?public_key=${this.serverKey.publicKeyHex}`;
  }

  async create(input: { token: string; name?: string; description?: string } & PermissionFlags): Promise<Room> {
    if (!ROOM_TOKEN.test(input.token)) {
      throw new InvalidInput(`invalid room token "${input.token}": use 1-64 letters, digits, _ or -`);
    }
    const name = cleanRoomName(input.name ?? input.token);
    if (!name) throw new InvalidInput('the room name must not be empty');
    const room = await this.rooms.insert({
      token: input.token,
      name,
      description: input.description === undefined ? null : cleanRoomDescription(input.description),
      created: this.clock.now(),
      read: input.read ?? true,
      accessible: input.accessible ?? true,
      write: input.write ?? true,
      upload: input.upload ?? true,
    });
    if (!room) throw new RoomExists(`a room with token "${input.token}" already exists`);
    return room;
  }

  async get(token: string): Promise<Room> {
    const room = ROOM_TOKEN.test(token) ? await this.rooms.findByToken(token) : undefined;
    if (!room) throw roomNotFound(token);
    return room;
  }

  list(): Promise<Room[]> {
    return this.rooms.listAll();
  }

  /** Name and description are cleaned of control characters; defaults change without an info bump. */
  async update(
    token: string,
    changes: { name?: string; description?: string | null; dmRefuseBanned?: boolean } & PermissionFlags & RoomFilterChanges,
  ): Promise<Room> {
    const room = await this.get(token);
    const name = changes.name === undefined ? undefined : cleanRoomName(changes.name);
    if (name === '') throw new InvalidInput('the room name must not be empty');
    const description =
      changes.description === undefined ? undefined : changes.description === null ? null : cleanRoomDescription(changes.description);
    return this.rooms.update(room.id, {
      name,
      description,
      read: changes.read,
      accessible: changes.accessible,
      write: changes.write,
      upload: changes.upload,
      dm_refuse_banned: changes.dmRefuseBanned,
      profanity_filter: changes.profanity_filter,
      profanity_silent: changes.profanity_silent,
      alphabet_filters: changes.alphabet_filters,
      alphabet_silent: changes.alphabet_silent,
    });
  }

  /**
   * Makes file `fileId` (an upload of this room) the room image; the triggers make it permanent and
   * expire the previous image. Row-locks the file so the cleanup cannot delete it first.
   */
  async setImage(room: Room, fileId: number): Promise<Room> {
    return this.db.transaction(async (tx) => {
      if (!(await this.rooms.lockRoomFile(fileId, room.id, tx))) throw new InvalidInput(`file ${fileId} is not a file of room ${room.token}`);
      return this.rooms.update(room.id, { image: fileId }, tx);
    });
  }

  async delete(token: string): Promise<void> {
    const room = await this.get(token);
    await this.rooms.delete(room.id);
  }

  stats(room: Room) {
    return this.rooms.stats(room.id);
  }
}
