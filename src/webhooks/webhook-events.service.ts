import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock } from '../common/clock';
import { AppConfig, CONFIG } from '../config/config';
import { parseSessionContent } from '../crypto/session-content';
import { Sql } from '../database/sql';
import { LOGGER } from '../logging/logger';
import type { LogEntry } from '../moderation/moderation-log.repository';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';
import { DeleteEventData, MessageEventData, ReactionEventData, RoomEventData, WebhookEventData, WebhookEventType } from './webhook-event';
import { EventMessage, Subscription, WebhooksRepository } from './webhooks.repository';

/** Audit log actions that are room events; every other action is a moderation event. */
const ROOM_ACTIONS: Record<string, RoomEventData['action'] | undefined> = {
  create_room: 'created',
  update_room: 'updated',
  delete_room: 'deleted',
};

/**
 * Records events for the webhooks that want them, in the transaction of the change (an outbox:
 * what commits is delivered, what rolls back never was). Each service that makes a change calls
 * one of these with its transaction.
 *
 * The post path is hot, so the list of webhooks is cached per instance and refreshed in the
 * background every SOGS_WEBHOOKS_REFRESH_SECONDS: with no webhook wanting the event, a call costs
 * a loop over that (usually empty) list and no query at all. With the refresh at 0 the list is
 * read in the caller's transaction for every event (one small query).
 */
@Injectable()
export class WebhookEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private cached?: Subscription[];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * Starts the background refresh. The list itself is first read by the first event, in its
   * transaction: an admin command on a database not migrated yet (`migrations status`) never reads it.
   */
  onApplicationBootstrap(): void {
    const every = this.config.webhooks.refreshMs;
    if (!every) return;
    this.timer = setInterval(() => {
      this.refresh().catch((err: Error) => this.log.warn({ err: { type: err.name, message: err.message } }, 'cannot refresh the list of webhooks'));
    }, every);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Reads the list of webhooks now (the admin commands change it in the database). */
  async refresh(): Promise<void> {
    this.cached = await this.repo.subscriptions();
  }

  /**
   * Posts (`message`), edits and deletions of the given messages of `room`. Whispers and silently
   * filtered posts are nobody's business but their recipients': they make no event.
   */
  async messages(tx: Sql, type: 'message' | 'edit' | 'delete', room: Pick<Room, 'token'>, ids: number[], deletedBy?: Pick<User, 'session_id'>): Promise<void> {
    const webhooks = await this.wanting(type, room.token, tx);
    if (!webhooks.length || !ids.length) return;
    const rows = await this.repo.publicMessages(ids, tx);
    const data = rows.map((m): MessageEventData | DeleteEventData =>
      type === 'delete' ? { room: room.token, id: m.id, seqno: m.seqno, author: m.author, deleted_by: deletedBy!.session_id } : messageData(room.token, m),
    );
    await this.enqueue(webhooks, type, data, tx);
  }

  /** One reaction added or removed by `user` (reactions are only ever on public messages). */
  async reaction(tx: Sql, room: Pick<Room, 'token'>, change: { message: number; reaction: string; user: Pick<User, 'session_id'>; action: 'add' | 'remove' }): Promise<void> {
    const webhooks = await this.wanting('reaction', room.token, tx);
    if (!webhooks.length) return;
    const seqno = await this.repo.seqno(change.message, tx);
    const data: ReactionEventData = { room: room.token, id: change.message, seqno, reaction: change.reaction, user: change.user.session_id, action: change.action };
    await this.enqueue(webhooks, 'reaction', [data], tx);
  }

  /**
   * An entry of the moderation audit log, as it is written: room changes are `room` events, the
   * rest `moderation` events. Server-wide actions (no room) reach every webhook that takes
   * moderation events, whatever its rooms: they apply in all of them.
   */
  async moderation(tx: Sql, entry: LogEntry): Promise<void> {
    const roomAction = ROOM_ACTIONS[entry.action];
    const type = roomAction ? 'room' : 'moderation';
    const interested = await this.subscriptions(tx, type);
    if (!interested.length) return;
    const names = await this.repo.names(entry.actor, entry.target ?? null, entry.room, tx);
    const details = entry.details ?? {};
    // A deleted room is logged server-wide, naming its token.
    const room = names.room ?? (roomAction && typeof details.token === 'string' ? details.token : null);
    const webhooks = interested.filter((w) => room === null || takesRoom(w, room)).map((w) => w.id);
    if (!webhooks.length) return;
    const data: WebhookEventData = roomAction
      ? { room: room!, action: roomAction, actor: names.actor, details }
      : { room, action: entry.action, actor: names.actor, target: names.target, details };
    await this.enqueue(webhooks, type, [data], tx);
  }

  private async wanting(type: WebhookEventType, room: string, tx: Sql): Promise<number[]> {
    return (await this.subscriptions(tx, type)).filter((w) => takesRoom(w, room)).map((w) => w.id);
  }

  private async subscriptions(tx: Sql, type: WebhookEventType): Promise<Subscription[]> {
    if (!this.config.webhooks.refreshMs) return filterType(await this.repo.subscriptions(tx), type);
    this.cached ??= await this.repo.subscriptions(tx);
    return filterType(this.cached, type);
  }

  private enqueue(webhooks: number[], type: WebhookEventType, data: WebhookEventData[], tx: Sql): Promise<void> {
    if (!data.length) return Promise.resolve();
    return this.repo.enqueue(webhooks, type, data.map((d) => JSON.stringify(d)), this.clock.now(), tx);
  }
}

function filterType(all: Subscription[], type: WebhookEventType): Subscription[] {
  return all.filter((w) => !w.events.length || w.events.includes(type));
}

function takesRoom(w: Subscription, token: string): boolean {
  return !w.rooms.length || w.rooms.some((r) => r.toLowerCase() === token.toLowerCase());
}

function messageData(room: string, m: EventMessage): MessageEventData {
  const content = m.data ? parseSessionContent(m.data) : null;
  return {
    room,
    id: m.id,
    seqno: m.seqno,
    author: m.author,
    posted: m.posted,
    edited: m.edited,
    text: content?.body ?? null,
    display_name: content?.displayName ?? null,
    attachments: content?.attachments ?? 0,
  };
}
