/** Which database the tests use: a real PostgreSQL server when a URL is given, else embedded PGlite. */
export function testPostgresUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

/** Set by the global setup: the socket directories of the PGlite servers, one per Jest worker. */
export const PGLITE_SOCKETS_ENV = 'SOGS_TEST_PGLITE_SOCKETS';

/** Set by the global setup: names this Jest run, so that the server is compiled once per run. */
export const BUILD_RUN_ENV = 'SOGS_TEST_BUILD_RUN';
