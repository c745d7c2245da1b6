import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUILD_LOCK } from './processes';
import { BUILD_RUN_ENV, PGLITE_SOCKETS_ENV, testPostgresUrl } from './test-env';

interface Embedded {
  stop(): Promise<void>;
}

declare global {
  // eslint-disable-next-line no-var
  var __SOGS_PGLITE__: { servers: Embedded[]; dir: string } | undefined;
}

/**
 * Without a PostgreSQL URL, starts one in-memory PGlite per Jest worker, each served on its own
 * unix socket. A PGlite takes seconds to start, so test files share their worker's instance and
 * each gets a freshly recreated schema (files of one worker run one after another).
 */
export default async function globalSetup(config: { maxWorkers: number }): Promise<void> {
  // The specs that run the built server compile it once per run (see build()); a lock left by an
  // interrupted run is stale.
  process.env[BUILD_RUN_ENV] = `${process.pid}-${Date.now()}`;
  fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
  if (testPostgresUrl()) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-pglite-'));
  const { PGlite } = await import('@electric-sql/pglite');
  const { PgliteSocketServer } = await import('../../src/database/pglite-socket-server');
  const workers = Math.max(1, config.maxWorkers);
  const servers: Embedded[] = [];
  const sockets: string[] = [];
  await Promise.all(
    Array.from({ length: workers }, async (_, i) => {
      const socketDir = path.join(dir, `w${i + 1}`);
      fs.mkdirSync(socketDir);
      const db = await PGlite.create();
      const server = new PgliteSocketServer(db);
      await server.listen(path.join(socketDir, '.s.PGSQL.5432'));
      servers[i] = { stop: async () => (await server.close(), await db.close()) };
      sockets[i] = socketDir;
    }),
  );
  process.env[PGLITE_SOCKETS_ENV] = sockets.join(path.delimiter);
  globalThis.__SOGS_PGLITE__ = { servers, dir };
}
