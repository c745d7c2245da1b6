import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Sql } from '../database/sql';
import { CleanupService } from '../jobs/cleanup.service';
import { Room } from '../rooms/room.entity';
import { RetentionBoundary, RetentionRepository, RoomLimits } from './retention.repository';

/**
 * At most this many messages per room and cleanup round: the round is one transaction that holds
 * each room it deletes from until it commits, so a large backlog is worked off over several rounds.
 */
export const RETENTION_BATCH = 1000;

/** The retention in force in a room: seconds (0 = keep forever) and whose setting it is. */
export interface EffectiveRetention {
  seconds: number;
  source: 'room' | 'server';
}

/**
 * Per-room message retention: the cleanup deletes the messages posted longer ago than the room's
 * retention (its own, or SOGS_RETENTION_DAYS) and those beyond its newest `max_messages`, as a
 * moderator's deletion would (clients see them go), then forgets their history. Every live message
 * counts towards `max_messages`, whispers and silently filtered ones included: the limit bounds
 * what the room stores.
 *
 * The edit and deletion history (never served, kept for moderators' sake) is forgotten
 * SOGS_HISTORY_PRUNE_DAYS after the version was replaced, at most ten batches a round.
 */
@Injectable()
export class RetentionService implements OnModuleInit {
  /** See RETENTION_BATCH; tests shorten it. */
  batch = RETENTION_BATCH;

  constructor(
    private readonly repo: RetentionRepository,
    private readonly cleanup: CleanupService,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.cleanup.register('message retention', (tx, now) => this.apply(tx, now));
    const keep = this.config.historyPrune;
    if (keep) this.cleanup.register('message history', (tx, now) => this.repo.pruneHistory(now - keep, this.batch * 10, tx));
  }

  effective(room: Pick<Room, 'retention_seconds'>): EffectiveRetention {
    return room.retention_seconds === null
      ? { seconds: this.config.retention, source: 'server' }
      : { seconds: room.retention_seconds, source: 'room' };
  }

  /** One cleanup round: rooms in id order (the order a global role change locks them in). */
  async apply(tx: Sql, now: number): Promise<number> {
    let deleted = 0;
    for (const room of await this.repo.roomsWithLimits(this.config.retention > 0, tx)) {
      const before = await this.boundary(room, now, tx);
      if (!before) continue;
      const ids = await this.repo.softDeleteBefore(room.id, before, this.batch, now, tx);
      if (!ids.length) continue;
      await this.repo.deleteHistory(ids, tx);
      deleted += ids.length;
    }
    return deleted;
  }

  /** The later of the age limit and the count limit: live messages ordered before it go. */
  private async boundary(room: RoomLimits, now: number, tx: Sql): Promise<RetentionBoundary | undefined> {
    const { seconds } = this.effective(room);
    // Ids start at 1: (posted, id) < (cutoff, 0) means posted < cutoff.
    const byAge = seconds > 0 ? { posted: now - seconds, id: 0 } : undefined;
    const byCount = room.max_messages === null ? undefined : await this.repo.nthNewest(room.id, room.max_messages, tx);
    if (!byAge || !byCount) return byAge ?? byCount;
    return byCount.posted > byAge.posted || (byCount.posted === byAge.posted && byCount.id > byAge.id) ? byCount : byAge;
  }
}
