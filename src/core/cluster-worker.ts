import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { describeFatal } from './fatal';
import { WORKER_INDEX_ENV, WorkerMessage } from './cluster-messages';
import { shareMetricsWithPrimary } from '../metrics/worker-metrics';
import { startServing } from './serve';
import { stopOnSignals } from './signals';

/**
 * One server process of a cluster (see cluster-primary.ts). Worker 0 migrates the schema and runs
 * the cleanup timer; every worker serves until the primary sends SIGTERM, and exits by itself if
 * the primary goes away.
 */
export async function runWorker(config: AppConfig, baseLog: Logger): Promise<void> {
  const index = Number(process.env[WORKER_INDEX_ENV] ?? 0);
  const log = baseLog.child({ worker: index });
  try {
    // One bot API listener per cluster (its address can be bound once): worker 0's.
    const serving = await startServing(index === 0 ? config : { ...config, cleanupInterval: 0, botApi: { listen: null } }, log, { role: 'worker', migrate: index === 0 });
    stopOnSignals(log, () => serving.stop(), null);
    shareMetricsWithPrimary(serving.metrics);
    tell({ type: 'sogs:worker-ready', index, port: serving.port, rooms: index === 0 ? await serving.rooms() : undefined, botApi: serving.botApi });
  } catch (err) {
    // The primary prints it once, instead of every worker printing the same line.
    tell({ type: 'sogs:worker-failed', message: describeFatal(err) }, () => process.exit(1));
  }
}

function tell(message: WorkerMessage, then?: () => void): void {
  process.send!(message, undefined, undefined, then);
}
