import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Clock } from '../common/clock';
import { BadRequest, InvalidInput, NotFound } from '../common/errors';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { ServerKey } from '../keys/server-key';
import { ModerationAction, ModerationLogRepository } from '../moderation/moderation-log.repository';
import { RequestScope } from '../auth/request-scope';
import { PermissionOverride } from '../moderation/permission-override.entity';
import { User } from '../users/user.entity';
import { cleanRoomDescription, cleanRoomName, MAX_MESSAGES_LIMIT, PermissionFlags, RoomFilterChanges, RoomRetentionChanges, ROOM_TOKEN } from './room';
import { Room } from './room.entity';
import { RoomsRepository } from './rooms.repository';

/** A refused action (exit 1 in the CLI), not a bad argument. */
export class RoomExists extends BadRequest {}

/** The same answer for a room that does not exist and one the caller may not see. */
export function roomNotFound(token: string): NotFound {
  return new NotFound(`no such room: ${token}`);
}

/** Longest text a bot whispers (welcome, filter reply): a whisper, not a document. */
const WHISPER_TEXT_MAX = 2000;

/** Control characters go, as from a description; empty or overlong is a bad argument. */
function whisperText(text: string, what: string): string {
  const clean = (cleanRoomDescription(text) ?? '').trim();
  if (!clean) throw new InvalidInput(`the ${what} must not be empty (use none to remove it)`);
  if (clean.length > WHISPER_TEXT_MAX) throw new InvalidInput(`the ${what} must be at most ${WHISPER_TEXT_MAX} characters`);
  return clean;
}

/** Retention is seconds (0 = forever), max_messages a whole number from 1; null = unset. */
function checkRetention(c: RoomRetentionChanges): void {
  const r = c.retention_seconds;
  if (r !== undefined && r !== null && !(Number.isFinite(r) && r >= 0)) throw new InvalidInput(`invalid retention: ${r} seconds`);
  const m = c.max_messages;
  if (m !== undefined && m !== null && !(Number.isInteger(m) && m >= 1 && m <= MAX_MESSAGES_LIMIT)) {
    throw new InvalidInput(`invalid max_messages: ${m} (a whole number from 1 to ${MAX_MESSAGES_LIMIT})`);
  }
}

@Injectable()
export class RoomsService {
  constructor(
    private readonly rooms: RoomsRepository,
    private readonly clock: Clock,
    private readonly serverKey: ServerKey,
    private readonly db: Db,
    private readonly log: ModerationLogRepository,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /** Room changes made by someone (the admin CLI's user) go to the audit log. */
  private async record(tx: Sql, actor: User | null, action: ModerationAction, room: number | null, details: Record<string, unknown>): Promise<void> {
    if (actor) await this.log.record({ at: this.clock.now(), actor: actor.id, action, room, details }, tx);
  }

  /** `{base_url}/{token}?public_key={hex}`: what a Session client joins from. */
  joinUrl(room: Pick<Room, 'token'>): string {
    return `${this.config.baseUrl}/${room.token}?public_key=${this.serverKey.publicKeyHex}`;
  }

  async create(input: { token: string; name?: string; description?: string } & PermissionFlags & RoomRetentionChanges, actor: User | null = null): Promise<Room> {
    if (!ROOM_TOKEN.test(input.token)) {
      throw new InvalidInput(`invalid room token "${input.token}": use 1-64 letters, digits, _ or -`);
    }
    checkRetention(input);
    const name = cleanRoomName(input.name ?? input.token);
    if (!name) throw new InvalidInput('the room name must not be empty');
    return this.db.transaction(async (tx) => {
      const room = await this.rooms.insert(
        {
          token: input.token,
          name,
          description: input.description === undefined ? null : cleanRoomDescription(input.description),
          created: this.clock.now(),
          read: input.read ?? true,
          accessible: input.accessible ?? true,
          write: input.write ?? true,
          upload: input.upload ?? true,
          listed: input.listed,
          retention_seconds: input.retention_seconds,
          max_messages: input.max_messages,
        },
        tx,
      );
      if (!room) throw new RoomExists(`a room with token "${input.token}" already exists`);
      await this.record(tx, actor, 'create_room', room.id, { token: room.token, name: room.name });
      return room;
    });
  }

  async get(token: string): Promise<Room> {
    const room = ROOM_TOKEN.test(token) ? await this.rooms.findByToken(token) : undefined;
    if (!room) throw roomNotFound(token);
    return room;
  }

  /**
   * The room and the caller's override row in it (404 for an unknown token): one round trip,
   * shared with the rest of a batch through its scope.
   */
  access(token: string, user: User | null, scope?: RequestScope): Promise<{ room: Room; override: PermissionOverride | undefined }> {
    const load = async () => {
      const found = ROOM_TOKEN.test(token) ? await this.rooms.findWithOverride(token, user?.id ?? null) : undefined;
      if (!found) throw roomNotFound(token);
      return found;
    };
    return scope ? scope.remember(`room:${token.toLowerCase()}`, load) : load();
  }

  list(): Promise<Room[]> {
    return this.rooms.listAll();
  }

  /** Name and description are cleaned of control characters; defaults change without an info bump. */
  async update(
    token: string,
    changes: { name?: string; description?: string | null; dmRefuseBanned?: boolean; welcome?: string | null; filterReply?: string | null } & PermissionFlags & RoomFilterChanges & RoomRetentionChanges,
    actor: User | null = null,
  ): Promise<Room> {
    checkRetention(changes);
    const room = await this.get(token);
    const name = changes.name === undefined ? undefined : cleanRoomName(changes.name);
    if (name === '') throw new InvalidInput('the room name must not be empty');
    const description =
      changes.description === undefined ? undefined : changes.description === null ? null : cleanRoomDescription(changes.description);
    const columns = {
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
      welcome: changes.welcome === undefined || changes.welcome === null ? changes.welcome : whisperText(changes.welcome, 'welcome text'),
      filter_reply: changes.filterReply === undefined || changes.filterReply === null || changes.filterReply === '' ? changes.filterReply : whisperText(changes.filterReply, 'filter reply'),
      listed: changes.listed,
      retention_seconds: changes.retention_seconds,
      max_messages: changes.max_messages,
    };
    return this.db.transaction(async (tx) => {
      const updated = await this.rooms.update(room.id, columns, tx);
      const details = Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
      await this.record(tx, actor, 'update_room', room.id, details);
      return updated;
    });
  }

  /**
   * Makes file `fileId` (an upload of this room) the room image; the triggers make it permanent and
   * expire the previous image. Row-locks the file so the cleanup cannot delete it first.
   */
  async setImage(room: Room, fileId: number, actor: User | null = null): Promise<Room> {
    return this.db.transaction(async (tx) => {
      if (!(await this.rooms.lockRoomFile(fileId, room.id, tx))) throw new InvalidInput(`file ${fileId} is not a file of room ${room.token}`);
      const updated = await this.rooms.update(room.id, { image: fileId }, tx);
      await this.record(tx, actor, 'update_room', room.id, { image: fileId });
      return updated;
    });
  }

  /** The room's own log goes with it; its deletion is logged server-wide. */
  async delete(token: string, actor: User | null = null): Promise<void> {
    const room = await this.get(token);
    await this.db.transaction(async (tx) => {
      await this.rooms.delete(room.id, tx);
      await this.record(tx, actor, 'delete_room', null, { token: room.token, name: room.name });
    });
  }

  stats(room: Room) {
    return this.rooms.stats(room.id);
  }
}
