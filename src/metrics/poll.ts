/**
 * What counts as a poll for `sogs_poll_duration_seconds`: a client asking for what is new. The
 * Session apps poll with one `/batch` (or `/sequence`), often inside an onion request, holding
 * some of capabilities, `pollInfo`, `messages/since`, `reactions`, `inbox/since` and
 * `outbox/since`; a bare `messages/since` (or one of the others) is a poll too. A batch is
 * measured as a whole and its subrequests are not measured again.
 */
declare module 'fastify' {
  interface FastifyRequest {
    /** Set on a /batch or /sequence that holds a poll subrequest. */
    sogsPoll?: boolean;
  }
}

/** Route patterns (Fastify's routeOptions.url) of the requests a poll is made of. */
export const POLL_ROUTES: ReadonlySet<string> = new Set([
  '/room/:token/messages/since/:seqno',
  '/room/:token/pollInfo/:info_updated',
  '/inbox/since/:id',
  '/outbox/since/:id',
]);

const POLL_PATH = /^\/(?:room\/[^/?]+\/(?:messages\/since|pollInfo)|inbox\/since|outbox\/since)\/[^/?]+(?:\?|$)/;

/** A batch subrequest's method and path: is it one of the POLL_ROUTES? */
export function isPollSubrequest(method: string, path: string): boolean {
  return method === 'GET' && POLL_PATH.test(path);
}
