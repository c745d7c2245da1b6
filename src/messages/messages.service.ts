import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Clock } from '../common/clock';
import { Forbidden, NotFound, RateLimited } from '../common/errors';
import { decodeBase64Strict } from '../crypto';
import { Db } from '../database/db';
import { retryOnConflict } from '../database/retry';
import { Sql } from '../database/sql';
import { ModerationLogRepository } from '../moderation/moderation-log.repository';
import { ContentFilterService } from '../moderation/filters/content-filter.service';
import { FilteredPosts } from '../moderation/filters/filtered-posts';
import { PermissionsService } from '../moderation/permissions.service';
import { Room } from '../rooms/room.entity';
import { RoomContext } from '../rooms/room-access.guard';
import { RoomActivityService } from '../rooms/room-activity.service';
import { RoomArrivals } from '../rooms/room-arrivals';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { EditMessageDto } from './dto/edit-message.dto';
import { MessagesPageQueryDto, MessagesSinceQueryDto } from './dto/messages-query.dto';
import { PostMessageDto } from './dto/post-message.dto';
import { groupReactions, MessageJson, MessageRow, toMessageJson } from './message-format';
import { MessagesRepository, Viewer } from './messages.repository';
import { Metrics } from '../metrics/metrics';
import { ReactionsRepository } from './reactions.repository';
import { WebhookEvents } from '../webhooks/webhook-events.service';

/** §14: at most this many posts per user and room within the window; admins are exempt. */
const RATE_LIMIT_POSTS = 5;
const RATE_LIMIT_WINDOW = 16;
/** §9.3: an upload can be attached to a post within this long after it was uploaded. */
const ATTACH_WITHIN = 3600;

/** A post or edit's content, decoded (the DTO has checked it). */
interface MessageContent {
  /** Exactly the bytes posted, Session padding included (the signature covers them). */
  data: Buffer;
  signature: Buffer;
  /** Upload ids to attach (§9.3). */
  files: number[];
}

interface PostInput extends MessageContent {
  whisperTo: string | null;
  whisperMods: boolean;
}

function messageContent(dto: EditMessageDto): MessageContent {
  return { data: decodeBase64Strict(dto.data)!, signature: decodeBase64Strict(dto.signature)!, files: (dto.files ?? []).map(Number) };
}

/**
 * Messages (§7). The endpoints' methods take their room from RoomAccessGuard, which has checked the
 * caller's `read` or `write` permission (403) before the query or body was looked at.
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly repo: MessagesRepository,
    private readonly reactions: ReactionsRepository,
    private readonly permissions: PermissionsService,
    private readonly activity: RoomActivityService,
    private readonly arrivals: RoomArrivals,
    private readonly users: UsersService,
    private readonly filters: ContentFilterService,
    private readonly filteredPosts: FilteredPosts,
    private readonly log: ModerationLogRepository,
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly webhooks: WebhookEvents,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /** §7.4 since: with `t=r`, reaction-only changes come as `{id, seqno, reactions}`. */
  async since(access: RoomContext, user: User | null, seqno: number, query: MessagesSinceQueryDto): Promise<MessageJson[]> {
    const viewer = await this.openForReading(access, user);
    // Every change takes the next value of the room's message_sequence: nothing newer, no query.
    if (seqno >= access.room.message_sequence) return [];
    const withReactionUpdates = (query.t ?? '').includes('r');
    const rows = await this.repo.since(access.room.id, viewer, seqno, query.limit, withReactionUpdates);
    return this.present(rows, viewer, query.reactors);
  }

  /** Newest live messages first; only those older than `beforeId` when given. */
  async latest(access: RoomContext, user: User | null, beforeId: number | null, page: MessagesPageQueryDto): Promise<MessageJson[]> {
    const viewer = await this.openForReading(access, user);
    const rows = await this.repo.latest(access.room.id, viewer, beforeId, page.limit);
    return this.present(rows, viewer, page.reactors);
  }

  async get(access: RoomContext, user: User | null, id: number, reactors: number): Promise<MessageJson> {
    const viewer = await this.openForReading(access, user);
    const row = await this.repo.findVisible(access.room.id, viewer, id);
    if (!row) throw new NotFound('Message not found');
    return (await this.present([row], viewer, reactors))[0];
  }

  /**
   * §1.5 order: write 403 (guard) → data/signature 400 (DTO) → whisper 403 → content filters (429
   * or silently filtered) → rate limit 429 (admins exempt, and bots that moderate the room) → insert.
   * A user's post may be their first appearance in a room with a welcome text (RoomArrivals); a
   * filtered one is answered by the filter bot (FilteredPosts) once its answer is settled, outside
   * its transaction.
   */
  async post({ room, permissions: perms }: RoomContext, user: User, dto: PostMessageDto, by: { bot?: boolean } = {}): Promise<MessageJson> {
    const input: PostInput = { ...messageContent(dto), whisperTo: dto.whisper_to ?? null, whisperMods: dto.whisper_mods === true };
    const whispering = input.whisperTo !== null || input.whisperMods;
    if (whispering && !perms.moderator) throw new Forbidden('Only moderators may send whispers');
    const verdict = this.filters.check(room, input.data, perms.moderator);
    if (verdict && !verdict.silent) {
      // The answer is settled (429); the filter bot's reply (never throws) is sent before it leaves.
      if (!by.bot) await this.filteredPosts.filtered(room, user, input.data);
      throw filterRefusal(verdict.kind);
    }
    const filtered = verdict !== null;
    const recipient = input.whisperTo === null ? null : await this.users.resolveTarget(input.whisperTo);
    const exempt = perms.admin || (by.bot === true && perms.moderator);
    const posted = await retryOnConflict(() => this.db.transaction((tx) => this.insert(room, user, exempt, input, recipient, filtered, tx)));
    this.metrics.posts.inc({ filtered: String(filtered) });
    // Stored silently filtered (committed, 201): the filter bot answers; not a bot, so no bot answers one.
    if (filtered && !by.bot) await this.filteredPosts.filtered(room, user, input.data);
    if (!by.bot) await this.arrivals.arrived(room, user);
    return posted;
  }

  /** Whether the content is to be stored silently filtered; a 429 when the filter refuses it. */
  private applyFilters(room: Room, data: Buffer, moderator: boolean): boolean {
    const verdict = this.filters.check(room, data, moderator);
    if (verdict && !verdict.silent) throw filterRefusal(verdict.kind);
    return verdict !== null;
  }

  /**
   * Rate limit and insert in one transaction: the room lock makes the count exact for concurrent
   * posts. A filtered post counts towards the limit but attaches no files: they expire as unused.
   */
  private async insert(
    room: Room,
    user: User,
    exempt: boolean,
    input: PostInput,
    recipient: User | null,
    filtered: boolean,
    tx: Sql,
  ): Promise<MessageJson> {
    const now = this.clock.now();
    if (!exempt) {
      await this.repo.lockRoom(room.id, tx);
      if ((await this.repo.countPostsSince(room.id, user.id, now - RATE_LIMIT_WINDOW, tx)) >= RATE_LIMIT_POSTS) {
        throw new RateLimited('Rate limited');
      }
    }
    const whisper = recipient?.id ?? null;
    const created = await this.repo.insert(
      { room: room.id, user: user.id, posted: now, data: input.data, signature: input.signature, whisper, whisper_mods: input.whisperMods, filtered },
      tx,
    );
    if (!filtered) await this.attachFiles(room, user, created.id, input.files, now, tx);
    await this.webhooks.messages(tx, 'message', room, [created.id]);
    const row: MessageRow = {
      id: created.id,
      session_id: user.session_id,
      posted: now,
      edited: null,
      seqno: created.seqno,
      data: input.data,
      signature: input.signature,
      whisper_mods: input.whisperMods,
      whisper_to: recipient?.session_id ?? null,
    };
    const json = toMessageJson(row, undefined);
    if (filtered) json.filtered = true;
    return json;
  }

  /**
   * Only the author edits, whatever their role; whisper flags stay as posted. The filters come
   * before the message is looked up; a silently filtered edit changes nothing and answers 200.
   */
  async edit({ room, permissions: perms }: RoomContext, user: User, id: number, dto: EditMessageDto): Promise<Record<string, never>> {
    const input = messageContent(dto);
    if (this.applyFilters(room, input.data, perms.moderator)) return {};
    await retryOnConflict(() =>
      this.db.transaction(async (tx) => {
        const message = await this.repo.lockForChange(room.id, id, tx);
        if (!message || message.deleted) throw new NotFound('Message not found');
        if (message.user !== user.id) throw new Forbidden('You can only edit your own messages');
        const now = this.clock.now();
        await this.repo.replaceData(id, input.data, input.signature, now, tx);
        await this.attachFiles(room, user, id, input.files, now, tx);
        await this.webhooks.messages(tx, 'edit', room, [id]);
      }),
    );
    return {};
  }

  /** The write check comes first, even for an id that does not exist; moderators delete anyone's. */
  async delete({ room, permissions: perms }: RoomContext, user: User, id: number): Promise<Record<string, never>> {
    const by = await retryOnConflict(() =>
      this.db.transaction(async (tx) => {
        const message = await this.repo.lockForChange(room.id, id, tx);
        if (!message || message.deleted) throw new NotFound('Message not found');
        if (message.user !== user.id && !perms.moderator) throw new Forbidden('You can only delete your own messages');
        const now = this.clock.now();
        await this.repo.softDelete(id, now, tx);
        await this.webhooks.messages(tx, 'delete', room, [id], user);
        if (message.user !== user.id) {
          await this.log.record({ at: now, actor: user.id, action: 'delete_message', target: message.user, room: room.id, details: { message: id } }, tx);
        }
        return message.user === user.id ? 'author' : 'moderator';
      }),
    );
    this.metrics.deletions.inc({ by });
    return {};
  }

  /**
   * Deletes all of `target`'s messages in the room and expires their uploads (§1.7): allowed to
   * the target and to moderators, but only an admin deletes an admin's posts. Returns the count.
   */
  async deleteAllBy(room: Room, actor: User, target: User): Promise<number> {
    if (actor.id !== target.id) {
      const mine = await this.permissions.require(room, actor, 'moderator');
      const theirs = await this.permissions.effective(room, target);
      if (theirs.admin && !mine.admin) throw new Forbidden("Only admins can delete an admin's messages");
    }
    const count = await retryOnConflict(() =>
      this.db.transaction(async (tx) => {
        const now = this.clock.now();
        const ids = await this.repo.softDeleteAllBy(room.id, target.id, now, tx);
        const deleted = ids.length;
        await this.repo.expireUploadsOf(room.id, target.id, tx);
        await this.webhooks.messages(tx, 'delete', room, ids, actor);
        if (deleted && actor.id !== target.id) {
          await this.log.record({ at: now, actor: actor.id, action: 'delete_all', target: target.id, room: room.id, details: { messages: deleted } }, tx);
        }
        return deleted;
      }),
    );
    if (count) this.metrics.deletions.inc({ by: actor.id === target.id ? 'author' : 'moderator' }, count);
    return count;
  }

  /** §9.3 attach, in the transaction that creates or edits the message. */
  private async attachFiles(room: Room, user: User, message: number, fileIds: number[], now: number, tx: Sql): Promise<void> {
    if (!fileIds.length) return;
    const expiry = this.config.uploadExpiry ? now + this.config.uploadExpiry : null;
    await this.repo.attachFiles({ message, room: room.id, uploader: user.id, fileIds, uploadedAfter: now - ATTACH_WITHIN, expiry }, tx);
  }

  /** Reading records the caller's activity in the room (§6.4). */
  private async openForReading({ room, permissions }: RoomContext, user: User | null): Promise<Viewer> {
    await this.activity.record(room, user);
    return { userId: user?.id ?? null, moderator: permissions.moderator };
  }

  private async present(rows: MessageRow[], viewer: Viewer, reactors: number): Promise<MessageJson[]> {
    const withReactions = rows.filter((r) => r.data !== null || r.reaction_only).map((r) => r.id);
    const reactions = groupReactions(await this.reactions.forMessages(withReactions, viewer.userId, reactors), reactors);
    return rows.map((r) => toMessageJson(r, reactions.get(r.id)));
  }
}

/** §7.8: what a non-silent filter answers. */
function filterRefusal(kind: string): RateLimited {
  return new RateLimited(`filtration rejected message (${kind})`);
}
