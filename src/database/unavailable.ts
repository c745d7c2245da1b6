/** Socket errors of a database that is down or unreachable (ENOENT: the embedded database's socket is gone). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT']);
/** Only from a socket: a missing file (ENOENT from `open`) is not a database outage. */
const SOCKET_CALLS = new Set(['connect', 'read', 'write', 'getaddrinfo']);
/**
 * SQLSTATEs of a server that is shutting down, starting, full or refusing this database, or that
 * cancelled a statement that ran past the statement timeout (57014).
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);
/** What the pg driver says, without a code, when a connection breaks, cannot be made or does not answer in time. */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
  /not currently accepting connections/,
  /^Query read timeout$/, // the server did not answer within the query timeout
];

/**
 * True for an error that says the database cannot be reached right now (as opposed to a fault in
 * a statement): the request gets 503 with Retry-After instead of a 500. Looks through TypeORM's
 * wrapper (`driverError`) to the driver's error.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; syscall?: unknown; message?: unknown; driverError?: unknown } | undefined, depth = 0; e && depth < 3; depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (NETWORK_CODES.has(code) && SOCKET_CALLS.has(e.syscall as string)) return true;
    if (SERVER_CODES.has(code) || code.startsWith('08')) return true;
    if (typeof e.message === 'string' && DRIVER_MESSAGES.some((m) => m.test(e!.message as string))) return true;
    e = e.driverError as typeof e;
  }
  return false;
}
