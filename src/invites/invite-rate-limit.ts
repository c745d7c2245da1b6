import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';

/** Requests (views and submissions together) one address may make of the invite pages per window. */
export const INVITE_PAGE_LIMIT = 20;
export const INVITE_PAGE_WINDOW_SECONDS = 600;
/** Addresses remembered at most; beyond it the idle ones are forgotten first. */
const MAX_ADDRESSES = 10_000;

/**
 * A sliding window per client address, in this process's memory: enough to stop one address
 * trying codes or Session IDs in bulk (codes have 144 random bits anyway). Each server process
 * counts on its own, so with N workers an address may make up to N times the limit.
 */
@Injectable()
export class InviteRateLimiter {
  private readonly seen = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** Counts a request from `address`; false when it is over the limit (not counted then). */
  take(address: string): boolean {
    const now = this.clock.now();
    const since = now - INVITE_PAGE_WINDOW_SECONDS;
    const times = (this.seen.get(address) ?? []).filter((t) => t > since);
    if (times.length >= INVITE_PAGE_LIMIT) {
      this.seen.set(address, times);
      return false;
    }
    times.push(now);
    this.seen.delete(address); // re-inserted last: the map stays in order of last use
    this.seen.set(address, times);
    if (this.seen.size > MAX_ADDRESSES) this.forget();
    return true;
  }

  /** Forgets the addresses used least recently (the map's first entries), down to half the cap. */
  private forget(): void {
    for (const address of this.seen.keys()) {
      if (this.seen.size <= MAX_ADDRESSES / 2) break;
      this.seen.delete(address);
    }
  }
}
