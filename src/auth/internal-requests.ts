import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { User } from '../users/user.entity';

/** Header carrying a one-time id that marks a request dispatched by this process. */
export const INTERNAL_REQUEST_HEADER = 'x-sogs-internal-request';

/**
 * Subrequests (batch, onion) run through the same router as outside requests. Batch subrequests
 * must run as the outer request's user without re-authenticating; the marker that says so is a
 * random id (a v4 UUID: 122 random bits, drawn from a pooled buffer, cheaper per subrequest than
 * a fresh read of random bytes) known only to this process for the subrequest's lifetime, so a
 * client cannot forge it.
 */
@Injectable()
export class InternalRequests {
  private readonly pending = new Map<string, User | null>();

  register(user: User | null): string {
    const id = randomUUID();
    this.pending.set(id, user);
    return id;
  }

  release(id: string): void {
    this.pending.delete(id);
  }

  /** The user a marked subrequest runs as; `undefined` when the request is not ours. */
  userFor(marker: string | string[] | undefined): User | null | undefined {
    if (typeof marker !== 'string') return undefined;
    return this.pending.has(marker) ? this.pending.get(marker)! : undefined;
  }
}
