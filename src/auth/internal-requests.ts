import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { User } from '../users/user.entity';
import { RequestScope } from './request-scope';

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
  private readonly pending = new Map<string, { user: User | null; scope?: RequestScope }>();

  register(user: User | null, scope?: RequestScope): string {
    const id = randomUUID();
    this.pending.set(id, { user, scope });
    return id;
  }

  release(id: string): void {
    this.pending.delete(id);
  }

  /** The user a marked subrequest runs as; `undefined` when the request is not ours. */
  userFor(marker: string | string[] | undefined): User | null | undefined {
    if (typeof marker !== 'string') return undefined;
    return this.pending.get(marker)?.user;
  }

  /** The lookups a marked subrequest shares with the rest of its batch, if any. */
  scopeFor(marker: string | string[] | undefined): RequestScope | undefined {
    return typeof marker === 'string' ? this.pending.get(marker)?.scope : undefined;
  }
}
