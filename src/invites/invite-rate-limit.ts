import { Injectable, OnModuleInit } from '@nestjs/common';
import { createHash, createHmac } from 'node:crypto';
import { Clock } from '../common/clock';
import { CleanupService } from '../jobs/cleanup.service';
import { ServerKey } from '../keys/server-key';
import { InvitePageHitsRepository } from './invite-page-hits.repository';

/** Requests (views and submissions together) one address may make of the invite pages per window. */
export const INVITE_PAGE_LIMIT = 20;
export const INVITE_PAGE_WINDOW_SECONDS = 600;

/**
 * A fixed 10-minute window per client address, counted in the database, so that the limit holds
 * across the workers of a server and every instance on one database: enough to stop one address
 * trying codes or Session IDs in bulk (codes have 144 random bits anyway). The address is stored
 * only as an HMAC under a key derived from the server key, and the cleanup forgets a window once it
 * has passed.
 */
@Injectable()
export class InviteRateLimiter implements OnModuleInit {
  private readonly addressKey: Buffer;

  constructor(
    private readonly repo: InvitePageHitsRepository,
    private readonly clock: Clock,
    private readonly cleanup: CleanupService,
    serverKey: ServerKey,
  ) {
    this.addressKey = createHash('sha256').update('sogs invite page addresses\0').update(serverKey.privateKey).digest();
  }

  onModuleInit(): void {
    this.cleanup.register('invite page rate limit', (tx, now) => this.repo.prune(windowOf(now), tx));
  }

  /** Counts a request from `address`; false when it is over the limit. */
  async take(address: string): Promise<boolean> {
    const hashed = createHmac('sha256', this.addressKey).update(address).digest().subarray(0, 16);
    return (await this.repo.count(hashed, windowOf(this.clock.now()))) <= INVITE_PAGE_LIMIT;
  }
}

const windowOf = (time: number): number => Math.floor(time / INVITE_PAGE_WINDOW_SECONDS);
