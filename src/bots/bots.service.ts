import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Clock } from '../common/clock';
import { BadRequest, InvalidInput, NotFound } from '../common/errors';
import { Db } from '../database/db';
import { ServerKey } from '../keys/server-key';
import { ModerationService } from '../moderation/moderation.service';
import { PermissionsService } from '../moderation/permissions.service';
import { Room } from '../rooms/room.entity';
import { RoomsService } from '../rooms/rooms.service';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { BotKey, deriveBotKey } from './bot-key';
import { Bot, BOT_NAME } from './bot.entity';
import { BotListing, BotsRepository } from './bots.repository';

/** A bot with what it acts with: its user row and its key. */
export interface BotIdentity {
  bot: Bot;
  user: User;
  key: BotKey;
}

export interface NewBot {
  name: string;
  displayName?: string;
  /** Empty: every room. */
  rooms: Room[];
  moderator: boolean;
}

/** Bearer tokens of the bot API: a recognisable prefix and 256 random bits. */
const TOKEN_PREFIX = 'sogsbot_';

export function hashBotToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Bot identities (issue #17): created, listed, removed and given API tokens by the admin CLI. */
@Injectable()
export class BotsService {
  private readonly keys = new Map<string, BotKey>();

  constructor(
    private readonly repo: BotsRepository,
    private readonly users: UsersService,
    private readonly moderation: ModerationService,
    private readonly permissions: PermissionsService,
    private readonly rooms: RoomsService,
    private readonly serverKey: ServerKey,
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** The key a bot of this name has on this server (derived; see bot-key.ts). */
  keyOf(name: string): BotKey {
    let key = this.keys.get(name);
    if (!key) this.keys.set(name, (key = deriveBotKey(this.serverKey.privateKey, name)));
    return key;
  }

  /**
   * Creates the bot and its `15` user; `moderator` appoints it (through the moderation service,
   * logged) in its rooms, or globally (hidden) when it may act everywhere.
   */
  async add(input: NewBot, actor: User): Promise<BotIdentity> {
    if (!BOT_NAME.test(input.name)) throw new InvalidInput(`invalid bot name "${input.name}": use 1-32 lower-case letters, digits, _ or -`);
    const key = this.keyOf(input.name);
    const user = await this.users.getOrCreate(key.sessionId);
    const bot = await this.db.transaction(async (tx) => {
      const created = await this.repo.insert(
        { name: input.name, user: user.id, display_name: input.displayName ?? null, all_rooms: input.rooms.length === 0, created: this.clock.now() },
        tx,
      );
      if (!created) throw new BadRequest(`a bot named "${input.name}" already exists`);
      await this.repo.addRooms(created.id, input.rooms.map((r) => r.id), tx);
      return created;
    });
    if (input.moderator) {
      await this.moderation.setModerator(actor, key.sessionId, input.rooms.length ? { rooms: input.rooms } : { global: true }, { moderator: true });
    }
    return { bot, user: (await this.users.findBySessionId(key.sessionId))!, key };
  }

  /** A built-in bot (welcome, filter): the existing one, or created as `input` says. */
  async builtIn(input: NewBot, actor: User): Promise<BotIdentity> {
    const existing = await this.repo.findByName(input.name);
    if (existing) return this.complete(existing);
    try {
      return await this.add(input, actor);
    } catch (err) {
      // Created meanwhile by another instance.
      const created = await this.repo.findByName(input.name);
      if (created) return this.complete(created);
      throw err;
    }
  }

  /** The bot, its user and key; 404 when there is no bot of that name. */
  async identity(name: string): Promise<BotIdentity> {
    const bot = BOT_NAME.test(name) ? await this.repo.findByName(name) : undefined;
    if (!bot) throw new NotFound(`no such bot: ${name}`);
    return this.complete(bot);
  }

  /** The bot holding this bearer token, if any. */
  async authenticate(token: string): Promise<BotIdentity | undefined> {
    const bot = token.startsWith(TOKEN_PREFIX) ? await this.repo.findByTokenHash(hashBotToken(token)) : undefined;
    return bot && this.complete(bot);
  }

  /** Issues a new token (the previous one stops working); only its hash is kept. */
  async issueToken(name: string): Promise<string> {
    const { bot } = await this.identity(name);
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    await this.repo.setTokenHash(bot.id, hashBotToken(token));
    return token;
  }

  /** Whether `--room` allows the bot to act in this room. */
  mayActIn(bot: Bot, room: Room): Promise<boolean> {
    return this.repo.mayActIn(bot, room.id);
  }

  list(): Promise<BotListing[]> {
    return this.repo.list();
  }

  /**
   * Removes the bot and its token, and dismisses it wherever it moderates; its user and posts stay
   * (the same name would come back with the same id).
   */
  async remove(name: string, actor: User): Promise<Bot> {
    const { bot, user, key } = await this.identity(name);
    if (user.moderator || user.admin) await this.moderation.setModerator(actor, key.sessionId, { global: true }, { moderator: false });
    const moderated: Room[] = [];
    for (const room of await this.rooms.list()) {
      if ((await this.permissions.effective(room, user)).moderator) moderated.push(room);
    }
    if (moderated.length) await this.moderation.setModerator(actor, key.sessionId, { rooms: moderated }, { moderator: false });
    await this.repo.delete(bot.name);
    return bot;
  }

  private async complete(bot: Bot): Promise<BotIdentity> {
    const key = this.keyOf(bot.name);
    const user = await this.users.getOrCreate(key.sessionId);
    return { bot, user, key };
  }
}
