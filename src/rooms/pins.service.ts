import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Clock } from '../common/clock';
import { NotFound } from '../common/errors';
import { Db } from '../database/db';
import { retryOnConflict } from '../database/retry';
import { Sql } from '../database/sql';
import { ModerationLogRepository } from '../moderation/moderation-log.repository';
import { User } from '../users/user.entity';
import { PinsRepository } from './pins.repository';
import { Room } from './room.entity';
import { RoomContext } from './room-access.guard';
import { RoomsRepository } from './rooms.repository';

/**
 * Pinning (§1.5, §7.7), for room admins: RoomAccessGuard has checked (anonymous callers fail like
 * anyone else, 403 not 401). Every answer carries the room's info_updates after the change, so the
 * admin's client can tell its own change from a later one.
 */
@Injectable()
export class PinsService {
  constructor(
    private readonly repo: PinsRepository,
    private readonly roomsRepo: RoomsRepository,
    private readonly log: ModerationLogRepository,
    private readonly db: Db,
    private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  async pin({ room }: RoomContext, user: User, messageId: number): Promise<{ info_updates: number }> {
    return this.inTransaction(room, async (tx) => {
      if (!(await this.repo.lockPinnable(room.id, messageId, tx))) throw new NotFound('Message not found');
      const now = this.clock.now();
      await this.repo.pin(room.id, messageId, user.id, now, tx);
      await this.log.record({ at: now, actor: user.id, action: 'pin', room: room.id, details: { message: messageId } }, tx);
      return {};
    });
  }

  async unpin({ room }: RoomContext, user: User, messageId: number): Promise<{ unpinned: boolean; info_updates: number }> {
    return this.inTransaction(room, async (tx) => {
      const unpinned = (await this.unpinIn(room, messageId, tx)) > 0;
      if (unpinned) await this.log.record({ at: this.clock.now(), actor: user.id, action: 'unpin', room: room.id, details: { message: messageId } }, tx);
      return { unpinned };
    });
  }

  async unpinAll({ room }: RoomContext, user: User): Promise<{ unpinned: number; info_updates: number }> {
    return this.inTransaction(room, async (tx) => {
      const unpinned = await this.unpinIn(room, null, tx);
      if (unpinned) await this.log.record({ at: this.clock.now(), actor: user.id, action: 'unpin_all', room: room.id, details: { unpinned } }, tx);
      return { unpinned };
    });
  }

  private async unpinIn(room: Room, messageId: number | null, tx: Sql): Promise<number> {
    const unpinned = await this.repo.unpin(room.id, messageId, tx);
    await this.repo.restoreFileExpiry(unpinned, this.config.uploadExpiry || null, tx);
    return unpinned.length;
  }

  /** Runs `work` and adds the room's info_updates as of the end of the same transaction. */
  private inTransaction<T extends object>(room: Room, work: (tx: Sql) => Promise<T>): Promise<T & { info_updates: number }> {
    return retryOnConflict(() =>
      this.db.transaction(async (tx) => {
        const result = await work(tx);
        const current = await this.roomsRepo.findById(room.id, tx);
        if (!current) throw new NotFound(); // deleted meanwhile
        return { ...result, info_updates: current.info_updates };
      }),
    );
  }
}
