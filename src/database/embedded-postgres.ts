import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PgliteSocketServer } from './pglite-socket-server';
import type { EmbeddedOptions } from '../config/config';

/** What the server asks of the embedded database unless told otherwise. */
export const EMBEDDED_DEFAULTS: EmbeddedOptions = { cacheMb: 32, durable: true };

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
    /** Commits reach the disk before they are acknowledged. */
    readonly durable: boolean,
  ) {}

  static socketDir(dataDir: string): string {
    return path.join(dataDir, 'db-socket');
  }

  static async start(dataDir: string, lock: LockFile, options: EmbeddedOptions = EMBEDDED_DEFAULTS): Promise<EmbeddedPostgres> {
    const dbDir = path.join(dataDir, 'db');
    const socketDir = EmbeddedPostgres.socketDir(dataDir);
    fs.mkdirSync(dbDir, { recursive: true });
    fs.mkdirSync(socketDir, { recursive: true });
    const socketPath = path.join(socketDir, '.s.PGSQL.5432');
    if (socketPath.length > 100) {
      throw new Error(`the data directory path is too long for a unix socket (${socketPath.length} > 100 characters): ${dataDir}`);
    }
    fs.rmSync(socketPath, { force: true }); // left over from a crash; we hold the lock, so it is ours
    // Loaded on first use (servers on PostgreSQL never load it), through the package's CommonJS
    // build: a real dynamic import() from CommonJS code fails under Jest once another test file
    // has compiled this module ("Test environment has been torn down").
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(dbDir, { startParams: startParams(PGlite.defaultStartParams, options) });
    const server = new PgliteSocketServer(db);
    try {
      const durable = options.durable && syncToDisk(db);
      await server.listen(socketPath);
      return new EmbeddedPostgres(db, server, lock, durable);
    } catch (err) {
      await db.close();
      throw err;
    }
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

/**
 * PGlite starts PostgreSQL with `-F` (fsync off), and its file system layer turns `fsync` into
 * nothing, so by default an acknowledged commit may sit in the OS cache when the power goes. Durable
 * here means: fsync on, the WAL opened with O_DSYNC (`open_datasync`, which that layer passes to
 * the OS as O_SYNC) so a commit returns only once its WAL record is on disk, and `fsync` itself
 * made real for what PostgreSQL syncs at checkpoints (data files, pg_control, directories).
 * `shared_buffers` is PGlite's largest fixed cost in memory (128 MB by default).
 */
export function startParams(defaults: readonly string[], options: EmbeddedOptions): string[] {
  const params = options.durable ? defaults.filter((p) => p !== '-F') : [...defaults];
  if (options.durable) params.push('-c', 'fsync=on', '-c', 'wal_sync_method=open_datasync');
  params.push('-c', `shared_buffers=${options.cacheMb}MB`);
  return params;
}

interface EmscriptenStream {
  nfd?: number;
  stream_ops: { fsync?: (stream: EmscriptenStream) => number };
}

/**
 * Gives PGlite's node file system a real `fsync` (its stream operations have none, so the call
 * succeeds without doing anything). False when this PGlite is not built the way this expects: the
 * server then says its commits are not synced.
 */
function syncToDisk(db: unknown): boolean {
  const FS = (db as { mod?: { FS?: { open(path: string, flags: string): EmscriptenStream; close(s: EmscriptenStream): void } } }).mod?.FS;
  if (!FS) return false;
  let stream: EmscriptenStream;
  try {
    stream = FS.open('/pglite/data/PG_VERSION', 'r');
  } catch {
    return false;
  }
  try {
    if (typeof stream.nfd !== 'number') return false; // not the node file system
    stream.stream_ops.fsync = (s) => {
      if (typeof s.nfd === 'number') fs.fsyncSync(s.nfd);
      return 0;
    };
    return true;
  } finally {
    FS.close(stream);
  }
}

/**
 * A lock file taken with O_EXCL, holding the owner's pid and, on Linux, the start time of that
 * process. A stale one (its process gone) is taken over; so is one whose pid now belongs to
 * another process (pids are reused, e.g. after a reboot): the start time tells them apart, and a
 * file older than the last boot is stale in any case (also one written before start times were).
 */
export class LockFile {
  private constructor(
    private readonly file: string,
    private readonly content: string,
  ) {}

  /** Returns the lock, or the pid of the live process holding it. */
  static acquire(file: string): LockFile | { heldBy: number } {
    const content = describeProcess(process.pid);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, content, { flag: 'wx', mode: 0o600 });
        return new LockFile(file, content);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const [holder, started] = fs.readFileSync(file, 'utf8').trim().split(/\s+/);
      const pid = Number(holder);
      const live = Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) && sameProcess(pid, started);
      if (live && !writtenBeforeBoot(file)) return { heldBy: pid };
      fs.rmSync(file, { force: true });
    }
    throw new Error(`could not take the lock ${file}`);
  }

  release(): void {
    try {
      if (fs.readFileSync(this.file, 'utf8') === this.content) fs.rmSync(this.file, { force: true });
    } catch {
      // already gone
    }
  }
}

/** No process survives a reboot: a lock written before the machine started is stale whatever its pid. */
function writtenBeforeBoot(file: string): boolean {
  try {
    return fs.statSync(file).mtimeMs < Date.now() - os.uptime() * 1000 - 1000;
  } catch {
    return false;
  }
}

/** `pid` or `pid starttime`: what identifies a process across pid reuse. */
function describeProcess(pid: number): string {
  const started = startTime(pid);
  return started === undefined ? String(pid) : `${pid} ${started}`;
}

/** The process's start time in clock ticks since boot (Linux /proc), or undefined elsewhere. */
function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** False only when the start times prove that `pid` is another process now; unknown counts as the same. */
function sameProcess(pid: number, started: string | undefined): boolean {
  const now = started === undefined ? undefined : startTime(pid);
  return now === undefined || now === started;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
