import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock } from '../common/clock';
import { LOGGER } from '../logging/logger';
import { ModerationService } from '../moderation/moderation.service';
import { RoomArrivals } from '../rooms/room-arrivals';
import { Room } from '../rooms/room.entity';
import { RoomsService } from '../rooms/rooms.service';
import { User } from '../users/user.entity';
import { BotMessagesService } from './bot-messages.service';
import { BotsService } from './bots.service';
import { RoomWelcomesRepository } from './room-welcomes.repository';

/** The built-in bot that whispers welcome texts. */
export const WELCOME_BOT = 'welcome';
/** (room, user) pairs this process knows are welcomed; forgotten all at once when full. */
const MAX_REMEMBERED = 100_000;

/**
 * Welcome whispers (`sogs rooms update TOKEN --welcome TEXT`): the `welcome` bot whispers the
 * room's text to each user on their first poll or post there, once: the room_welcomes row is
 * claimed before the whisper is posted, so several instances never send it twice. After the first
 * visit a process answers from memory, so polling costs no query.
 */
@Injectable()
export class WelcomeService implements OnModuleInit {
  private readonly done = new Set<string>();

  constructor(
    private readonly arrivals: RoomArrivals,
    private readonly welcomes: RoomWelcomesRepository,
    private readonly bots: BotsService,
    private readonly botMessages: BotMessagesService,
    private readonly moderation: ModerationService,
    private readonly rooms: RoomsService,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    this.arrivals.listen((room, user) => this.welcome(room, user));
  }

  /**
   * Sets or clears (null) the room's welcome text. The welcome bot is created on first use and made
   * a hidden moderator of the room, since only moderators whisper.
   */
  async setText(token: string, text: string | null, actor: User): Promise<Room> {
    const room = await this.rooms.get(token);
    if (text !== null) {
      const bot = await this.bots.builtIn({ name: WELCOME_BOT, displayName: 'Welcome', rooms: [], moderator: false }, actor);
      await this.moderation.setModerator(actor, bot.key.sessionId, { rooms: [room] }, { moderator: true, visible: false });
    }
    return this.rooms.update(room.token, { welcome: text }, actor);
  }

  /** Never throws: a failed welcome must not fail the poll or post that caused it. */
  private async welcome(room: Room, user: User): Promise<void> {
    const key = `${room.id}:${user.id}`;
    if (this.done.has(key)) return;
    try {
      const claimed = await this.welcomes.claim(room.id, user.id, this.clock.now());
      this.remember(key);
      if (!claimed) return;
      try {
        const bot = await this.bots.identity(WELCOME_BOT);
        await this.botMessages.postInRoom(bot, room, { text: room.welcome!, whisper_to: user.session_id });
      } catch (err) {
        await this.welcomes.release(room.id, user.id);
        throw err;
      }
    } catch (err) {
      this.log.warn({ err: { type: (err as Error).name, message: (err as Error).message }, room: room.token }, 'welcome whisper not sent');
    }
  }

  private remember(key: string): void {
    if (this.done.size >= MAX_REMEMBERED) this.done.clear();
    this.done.add(key);
  }
}
