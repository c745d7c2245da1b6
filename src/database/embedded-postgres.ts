import * as fs from 'node:fs';
import * as path from 'node:path';
import { PgliteSocketServer } from './pglite-socket-server';

/**
 * The embedded database: PGlite (PostgreSQL compiled to WASM) in `<dataDir>/db`, served on a unix
 * socket `<dataDir>/db-socket/.s.PGSQL.5432` so that every client, this process's own pool included,
 * speaks the ordinary PostgreSQL protocol through `pg`. PGlite is a single session; the socket
 * server's queue keeps each connection's transaction to itself, which an in-process driver sharing
 * the one session would not (see PgliteSocketServer). Only one process may open the files: it holds `<dataDir>/db.lock`,
 * and any other process (the admin CLI while the server runs) connects through the socket.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: { close(): Promise<void> },
    private readonly server: PgliteSocketServer,
    private readonly lock: LockFile,
  ) {}

  static socketDir(dataDir: string): string {
    return path.join(dataDir, 'db-socket');
  }

  static async start(dataDir: string, lock: LockFile): Promise<EmbeddedPostgres> {
    const dbDir = path.join(dataDir, 'db');
    const socketDir = EmbeddedPostgres.socketDir(dataDir);
    fs.mkdirSync(dbDir, { recursive: true });
    fs.mkdirSync(socketDir, { recursive: true });
    const socketPath = path.join(socketDir, '.s.PGSQL.5432');
    if (socketPath.length > 100) {
      throw new Error(`the data directory path is too long for a unix socket (${socketPath.length} > 100 characters): ${dataDir}`);
    }
    fs.rmSync(socketPath, { force: true }); // left over from a crash; we hold the lock, so it is ours
    // PGlite is an ES module; a real dynamic import keeps TypeScript from turning it into require().
    const { PGlite } = await esmImport<typeof import('@electric-sql/pglite')>('@electric-sql/pglite');
    const db = await PGlite.create(dbDir);
    const server = new PgliteSocketServer(db);
    try {
      await server.listen(socketPath);
    } catch (err) {
      await db.close();
      throw err;
    }
    return new EmbeddedPostgres(db, server, lock);
  }

  async stop(): Promise<void> {
    try {
      await this.server.close();
      await this.db.close();
    } finally {
      this.lock.release();
    }
  }
}

const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;
function esmImport<T>(specifier: string): Promise<T> {
  return dynamicImport(specifier) as Promise<T>;
}

/** A pid file taken with O_EXCL; a stale one (its process gone) is taken over. */
export class LockFile {
  private constructor(private readonly file: string) {}

  /** Returns the lock, or the pid of the live process holding it. */
  static acquire(file: string): LockFile | { heldBy: number } {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
        return new LockFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) return { heldBy: holder };
      fs.rmSync(file, { force: true });
    }
    throw new Error(`could not take the lock ${file}`);
  }

  release(): void {
    try {
      if (fs.readFileSync(this.file, 'utf8').trim() === String(process.pid)) fs.rmSync(this.file, { force: true });
    } catch {
      // already gone
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
