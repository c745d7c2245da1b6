import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock } from '../common/clock';
import { AppConfig, CONFIG } from '../config/config';
import { parseSessionContent } from '../crypto/session-content';
import { LOGGER } from '../logging/logger';
import { FilteredPosts } from '../moderation/filters/filtered-posts';
import { ModerationService } from '../moderation/moderation.service';
import { PermissionsService } from '../moderation/permissions.service';
import { Room } from '../rooms/room.entity';
import { SYSTEM_USER_ID, User } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import { BotMessagesService } from './bot-messages.service';
import { BotIdentity, BotsService } from './bots.service';
import { FilterRepliesRepository } from './filter-replies.repository';

/** The built-in bot that answers filtered posts. */
export const FILTER_BOT = 'filter';
/** A user is answered at most once in this many seconds per room: posting filtered text in a loop gets one reply. */
const REPLY_INTERVAL = 60;

/**
 * The content filters' auto-reply (§7.8): when the filters stop a post (silently or with 429),
 * the `filter` bot whispers the room's reply text (or SOGS_FILTER_REPLY) to the poster, after the
 * poster's answer is settled. The bot is created on first use and made a hidden moderator of each
 * room it answers in (only moderators whisper; the filters, unless SOGS_FILTER_MODS, and the rate
 * limit leave moderators alone). Posts by bots are never answered, so it cannot answer itself.
 */
@Injectable()
export class FilterReplyService implements OnModuleInit {
  constructor(
    private readonly filteredPosts: FilteredPosts,
    private readonly replies: FilterRepliesRepository,
    private readonly bots: BotsService,
    private readonly botMessages: BotMessagesService,
    private readonly moderation: ModerationService,
    private readonly permissions: PermissionsService,
    private readonly users: UsersRepository,
    private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    this.filteredPosts.listen((room, user, data) => this.reply(room, user, data));
  }

  /** Never throws: the poster's answer (201 or 429) is decided by the filters, not by the reply. */
  private async reply(room: Room, user: User, data: Buffer): Promise<void> {
    const template = room.filter_reply ?? this.config.filterReply;
    if (!template) return;
    try {
      if (!(await this.replies.claim(room.id, user.id, this.clock.now(), REPLY_INTERVAL))) return;
      const system = await this.users.findById(SYSTEM_USER_ID);
      if (!system) throw new Error('the system user is missing');
      const bot = await this.bots.builtIn({ name: FILTER_BOT, displayName: 'Filter', rooms: [], moderator: false }, system);
      await this.moderateRoom(bot, room, system);
      const text = fillIn(template, { sessionId: user.session_id, name: parseSessionContent(data)?.displayName, room });
      await this.botMessages.postInRoom(bot, room, { text, whisper_to: user.session_id });
    } catch (err) {
      this.log.warn({ err: { type: (err as Error).name, message: (err as Error).message }, room: room.token }, 'filter reply not sent');
    }
  }

  /**
   * Only moderators whisper: the bot is made a hidden moderator of the room on its first reply there
   * (as the welcome bot is), unless an admin banned it there, which stands (the reply is not sent).
   */
  private async moderateRoom(bot: BotIdentity, room: Room, system: User): Promise<void> {
    const perms = await this.permissions.effective(room, bot.user);
    if (perms.moderator) return;
    if (perms.banned) throw new Error('the filter bot is banned in this room');
    await this.moderation.setModerator(system, bot.key.sessionId, { rooms: [room] }, { moderator: true, visible: false });
  }
}

/**
 * §7.8's substitutions: `\@` "@" and the poster's Session id, `\p` their display name (else their
 * Session id), `\r` the room name, `\t` its token, `\n` a new line, `\\` a backslash.
 */
export function fillIn(template: string, c: { sessionId: string; name?: string; room: Pick<Room, 'name' | 'token'> }): string {
  const values: Record<string, string> = { '@': `@${c.sessionId}`, p: c.name || c.sessionId, r: c.room.name, t: c.room.token, n: '\n', '\\': '\\' };
  return template.replace(/\\([@prtn\\])/g, (_, k: string) => values[k]);
}
