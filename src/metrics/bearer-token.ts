import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an `Authorization` header is `Bearer <token>`. Compared in constant time: both sides are
 * hashed first, so neither the token's length nor how much of it matched shows in the timing.
 */
export function bearerMatches(header: string | string[] | undefined, token: string): boolean {
  const given = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header)?.[1] : undefined;
  const same = timingSafeEqual(digest(given ?? ''), digest(token));
  return same && given !== undefined && token !== '';
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
