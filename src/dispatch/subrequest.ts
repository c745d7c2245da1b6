import { RequestScope } from '../auth/request-scope';
import { User } from '../users/user.entity';

/** One HTTP request run inside this process (a batch element or an onion request's payload). */
export interface Subrequest {
  method: string;
  /** Path with optional `?query`; the path may hold raw UTF-8 or %-escapes. */
  path: string;
  /** Header names in any case. */
  headers: Record<string, string>;
  /** Exact body bytes; empty for none. */
  body: Buffer;
}

/**
 * Who a subrequest runs as: a given user (batch: the outer request's user, already
 * authenticated; `scope` shares lookups between one batch's subrequests), or whoever its own X-SOGS-* headers authenticate (onion requests).
 */
export type DispatchAs = { user: User | null; scope?: RequestScope } | 'authenticate';

export interface Subresponse {
  status: number;
  /** Lower-case names, no `content-length`; the content type normalised (see `subresponseHeaders`). */
  headers: Record<string, string>;
  body: Buffer;
  /** The normalised content type, `''` when the response has none. */
  contentType: string;
}
