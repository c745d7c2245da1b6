import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { NotFound } from '../common/errors';
import { Db } from '../database/db';
import { retryOnConflict, RETRY_WITH_FOREIGN_KEY, sqlState } from '../database/retry';
import { Sql } from '../database/sql';
import { ModerationLogRepository } from '../moderation/moderation-log.repository';
import { Room } from '../rooms/room.entity';
import { RoomContext } from '../rooms/room-access.guard';
import { User } from '../users/user.entity';
import { MessagesRepository } from './messages.repository';
import { validReaction } from './reaction-path';
import { ReactionsRepository } from './reactions.repository';
import { WebhookEvents } from '../webhooks/webhook-events.service';

/** The trigger's refusal of a reaction to a message deleted concurrently. */
const CHECK_VIOLATION = '23514';

/**
 * Reactions (§7.6) to regular messages: every single add or removal advances the room sequence
 * (the triggers do it); answers carry the message's seqno after the change. The room comes from
 * RoomAccessGuard (404, then 403 for `read`, or `moderator` for bulk removal); the reaction (400)
 * and the message (404) are checked here, in that order.
 */
@Injectable()
export class ReactionsService {
  constructor(
    private readonly repo: ReactionsRepository,
    private readonly messages: MessagesRepository,
    private readonly log: ModerationLogRepository,
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly webhooks: WebhookEvents,
  ) {}

  async add({ room }: RoomContext, user: User, messageId: number, rawReaction: string | null | undefined): Promise<{ added: boolean; seqno: number }> {
    const reaction = validReaction(rawReaction);
    try {
      // Retried when the reaction's last user removed it meanwhile: its foreign key fails at commit.
      return await this.changeRegular(
        room,
        messageId,
        async (tx) => {
          const added = await this.repo.add(messageId, reaction, user.id, this.clock.now(), tx);
          if (added) await this.webhooks.reaction(tx, room, { message: messageId, reaction, user, action: 'add' });
          return { added };
        },
        RETRY_WITH_FOREIGN_KEY,
      );
    } catch (err) {
      if (sqlState(err) === CHECK_VIOLATION) throw new NotFound('Message not found'); // deleted meanwhile
      throw err;
    }
  }

  async remove({ room }: RoomContext, user: User, messageId: number, rawReaction: string | null | undefined): Promise<{ removed: boolean; seqno: number }> {
    const reaction = validReaction(rawReaction);
    return this.changeRegular(room, messageId, async (tx) => {
      const removed = await this.repo.remove(messageId, reaction, user.id, tx);
      if (removed) await this.webhooks.reaction(tx, room, { message: messageId, reaction, user, action: 'remove' });
      return { removed };
    });
  }

  /** Moderators: every user's reactions to the message, or (`rawReaction` given) those of one reaction. */
  async removeAll({ room }: RoomContext, user: User, messageId: number, rawReaction: string | null | undefined): Promise<{ removed: number; seqno: number }> {
    const reaction = rawReaction === undefined ? null : validReaction(rawReaction);
    return this.changeRegular(room, messageId, async (tx) => {
      const removed = await this.repo.removeAll(messageId, reaction, tx);
      if (removed) {
        const details = reaction === null ? { message: messageId, removed } : { message: messageId, reaction, removed };
        await this.log.record({ at: this.clock.now(), actor: user.id, action: 'remove_reactions', room: room.id, details }, tx);
      }
      return { removed };
    });
  }

  /** `[session_id, at]` pairs, oldest first; `limit` 0 = all of them. */
  async reactors({ room }: RoomContext, messageId: number, rawReaction: string | null | undefined, limit: number): Promise<Array<[string, number]>> {
    const reaction = validReaction(rawReaction);
    if (!(await this.messages.isRegular(room.id, messageId))) throw new NotFound('Message not found');
    return this.repo.reactors(messageId, reaction, limit > 0 ? limit : null);
  }

  /** Runs `change` on a regular message (else 404) and adds the message's seqno after it. */
  private changeRegular<T extends object>(
    room: Room,
    messageId: number,
    change: (tx: Sql) => Promise<T>,
    retryOn?: readonly string[],
  ): Promise<T & { seqno: number }> {
    return retryOnConflict(
      () =>
        this.db.transaction(async (tx) => {
          if (!(await this.messages.isRegular(room.id, messageId, tx))) throw new NotFound('Message not found');
          const result = await change(tx);
          return { ...result, seqno: await this.messages.seqno(messageId, tx) };
        }),
      retryOn,
    );
  }
}
