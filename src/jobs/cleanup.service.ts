import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import type { Logger } from 'pino';
import { Clock } from '../common/clock';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { LOGGER } from '../logging/logger';
import { Metrics } from '../metrics/metrics';

/** One periodic task; returns how many rows it touched (for the log). */
export type CleanupTask = (tx: Sql, now: number) => Promise<number>;

/** Shared by every instance on one database: only the holder runs the cleanup. */
const CLEANUP_LOCK_KEY = 7_352_112_002;

/**
 * A round sends its statements back to back; its session idle in the transaction for this long
 * means its instance froze or vanished (a machine gone, a network cut: its connection is not closed,
 * and PostgreSQL would otherwise keep the lock for as long as TCP takes to notice, hours). PostgreSQL
 * then ends that session, which releases the lock to the other instances.
 */
export const CLEANUP_IDLE_LIMIT_MS = 30_000;

/**
 * The periodic cleanup (§13.4): every 10 s by default, in one transaction holding an advisory lock, so that
 * with several server instances on one database exactly one of them runs each round. Every
 * instance with a timer tries each interval, so when one dies (its transaction and lock go with its
 * connection) the others go on at their next interval. Feature modules register their tasks at start.
 */
@Injectable()
export class CleanupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly tasks: Array<{ name: string; run: CleanupTask }> = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  /** See CLEANUP_IDLE_LIMIT_MS; tests shorten it. */
  idleLimitMs = CLEANUP_IDLE_LIMIT_MS;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  register(name: string, run: CleanupTask): void {
    this.tasks.push({ name, run });
  }

  /** Runs one round now; false when another instance holds the lock. Measured unless skipped. */
  async runOnce(): Promise<boolean> {
    const stop = this.metrics.cleanupSeconds.startTimer();
    let ran: boolean;
    try {
      ran = await this.round();
    } catch (err) {
      stop();
      this.metrics.cleanupRounds.inc({ outcome: 'failed' });
      throw err;
    }
    if (ran) stop();
    this.metrics.cleanupRounds.inc({ outcome: ran ? 'ran' : 'skipped' });
    return ran;
  }

  private round(): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const lock = await tx.one<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [CLEANUP_LOCK_KEY]);
      if (!lock?.locked) return false;
      // Not on the embedded database: its one session is every connection's.
      if (!(await this.db.isEmbedded())) await tx.execute(`SET LOCAL idle_in_transaction_session_timeout = ${Math.round(this.idleLimitMs)}`);
      const now = this.clock.now();
      for (const task of this.tasks) {
        const touched = await task.run(tx, now);
        if (touched) this.log.debug({ task: task.name, rows: touched }, 'cleanup');
      }
      this.log.debug('cleanup round');
      return true;
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.cleanupInterval) return; // disabled: tests drive runOnce() themselves
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((err: Error) => this.log.error({ err: { type: err.name, message: err.message } }, 'cleanup failed'))
        .finally(() => (this.running = undefined));
    }, this.config.cleanupInterval * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
