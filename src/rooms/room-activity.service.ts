import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Clock } from '../common/clock';
import { CleanupService } from '../jobs/cleanup.service';
import { User } from '../users/user.entity';
import { Room } from './room.entity';
import { RoomActivityRepository } from './room-activity.repository';
import { RoomArrivals } from './room-arrivals';

/** Activity is written at most this often per user and room: polls must not write every time. */
const WRITE_EVERY = 60;
const MAX_REMEMBERED = 100_000;

/**
 * Who is active in which room (§6.4): recorded when an authenticated user polls or reads a room,
 * counted over the active window by the cleanup job into rooms.active_users.
 */
@Injectable()
export class RoomActivityService implements OnModuleInit {
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly repo: RoomActivityRepository,
    private readonly clock: Clock,
    private readonly cleanup: CleanupService,
    private readonly arrivals: RoomArrivals,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.cleanup.register('room activity', async (tx, now) => {
      const pruned = await this.repo.prune(now - this.config.activePrune, tx);
      return pruned + (await this.repo.refreshCounts(now - this.config.activeThreshold, tx));
    });
  }

  async record(room: Room, user: User | null): Promise<void> {
    if (!user) return;
    await this.arrivals.arrived(room, user);
    const now = this.clock.now();
    const key = `${room.id}:${user.id}`;
    const last = this.lastWrite.get(key);
    if (last !== undefined && now - last < WRITE_EVERY) return;
    if (this.lastWrite.size >= MAX_REMEMBERED) this.lastWrite.clear();
    this.lastWrite.set(key, now);
    await this.repo.upsert(room.id, user.id, now);
  }
}
