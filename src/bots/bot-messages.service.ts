import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Forbidden, NotFound } from '../common/errors';
import { encodeSessionContent, parseSessionContent, signEd25519 } from '../crypto';
import { MessageJson } from '../messages/message-format';
import { MessagesService } from '../messages/messages.service';
import { ReactionsService } from '../messages/reactions.service';
import { PermissionsService, RoomCheck } from '../moderation/permissions.service';
import { RoomContext } from '../rooms/room-access.guard';
import { Room } from '../rooms/room.entity';
import { RoomsService } from '../rooms/rooms.service';
import { BotIdentity, BotsService } from './bots.service';

export interface BotPost {
  text: string;
  /** A session id: a whisper to that user (the bot must moderate the room, as anyone must). */
  whisper_to?: string | null;
  /** Id of a message of the room to quote. */
  reply_to?: number | null;
}

/** A message as a bot reads it: the decoded text instead of the protobuf. */
export interface BotMessageView {
  id: number;
  seqno: number;
  session_id?: string;
  posted?: number;
  edited?: number;
  deleted?: true;
  whisper?: true;
  whisper_to?: string;
  /** null when the data is not a Session message with a body (an attachment alone, say). */
  text?: string | null;
  display_name?: string | null;
}

/**
 * What a bot does in a room: the same services as every user's requests (permissions, bans, rate
 * limits, filters, audit log), with the bot's `15` user as the actor and content it signs itself.
 * `--room` narrows where it may act (403), after the room is found (404).
 */
@Injectable()
export class BotMessagesService {
  constructor(
    private readonly bots: BotsService,
    private readonly rooms: RoomsService,
    private readonly permissions: PermissionsService,
    private readonly messages: MessagesService,
    private readonly reactions: ReactionsService,
    private readonly clock: Clock,
  ) {}

  async post(id: BotIdentity, token: string, post: BotPost): Promise<MessageJson> {
    return this.postIn(await this.roomFor(id, token, 'write'), id, post);
  }

  /** Posts in a room already resolved (the welcome whisper); the bot's permissions are checked here. */
  async postInRoom(id: BotIdentity, room: Room, post: BotPost): Promise<MessageJson> {
    const access = { room, permissions: this.permissions.check(await this.permissions.effective(room, id.user), 'write') };
    return this.postIn(access, id, post);
  }

  async delete(id: BotIdentity, token: string, messageId: number): Promise<Record<string, never>> {
    return this.messages.delete(await this.roomFor(id, token, 'write'), id.user, messageId);
  }

  async react(id: BotIdentity, token: string, messageId: number, reaction: string): Promise<{ added: boolean; seqno: number }> {
    return this.reactions.add(await this.roomFor(id, token, 'read'), id.user, messageId, reaction);
  }

  async since(id: BotIdentity, token: string, seqno: number, limit: number): Promise<BotMessageView[]> {
    const rows = await this.messages.since(await this.roomFor(id, token, 'read'), id.user, seqno, { limit, reactors: 0 });
    return rows.map(view);
  }

  private async postIn(access: RoomContext, { bot, user, key }: BotIdentity, post: BotPost): Promise<MessageJson> {
    const quote = post.reply_to == null ? undefined : await this.quote(access, user, post.reply_to);
    const data = encodeSessionContent({
      body: post.text,
      timestamp: Math.floor(this.clock.now() * 1000),
      displayName: bot.display_name ?? undefined,
      quote,
    });
    const dto = { data: data.toString('base64'), signature: signEd25519(data, key.seed).toString('base64'), whisper_to: post.whisper_to ?? null };
    return this.messages.post(access, user, dto, { bot: true });
  }

  /** Clients find the quoted message by its author and the time it says it was sent. */
  private async quote(access: RoomContext, user: BotIdentity['user'], messageId: number) {
    const quoted = await this.messages.get(access, user, messageId, 0);
    if (!quoted.data) throw new NotFound('Message not found');
    const content = parseSessionContent(Buffer.from(quoted.data, 'base64'));
    return { id: content?.timestamp ?? Math.floor(quoted.posted! * 1000), author: quoted.session_id!, text: content?.body };
  }

  private async roomFor({ bot, user }: BotIdentity, token: string, check: RoomCheck): Promise<RoomContext> {
    const { room, override } = await this.rooms.access(token, user);
    if (!(await this.bots.mayActIn(bot, room))) throw new Forbidden(`bot ${bot.name} may not act in room ${room.token}`);
    return { room, permissions: this.permissions.check(this.permissions.withOverride(room, user, override), check) };
  }
}

function view(m: MessageJson): BotMessageView {
  const out: BotMessageView = { id: m.id, seqno: m.seqno };
  for (const k of ['session_id', 'posted', 'edited', 'deleted', 'whisper', 'whisper_to'] as const) {
    if (m[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = m[k];
  }
  if (m.data) {
    const content = parseSessionContent(Buffer.from(m.data, 'base64'));
    out.text = content?.body ?? null;
    out.display_name = content?.displayName ?? null;
  }
  return out;
}
