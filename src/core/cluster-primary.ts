import cluster, { Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { OperatorError } from '../common/operator-error';
import { AppConfig } from '../config/config';
import { reachDatabase } from '../database/reach-database';
import { loadOrCreateServerKey } from '../keys/server-key';
import { ClusterMetrics } from '../metrics/cluster-metrics';
import { MetricsListener, startMetricsListener } from '../metrics/metrics-listener';
import { printBanner, uploadsLocation } from './banner';
import { isWorkerMessage, WORKER_INDEX_ENV, WorkerMessage } from './cluster-messages';
import { ensureWritableDir } from './data-dir';
import { stopOnSignals } from './signals';

/**
 * The primary of several server processes sharing one port (node:cluster, `SOGS_WORKERS`). It keeps
 * to what must happen once and stays small (no Nest, no TypeORM): it creates the server key, starts
 * the embedded database when there is no DATABASE_URL (served to the workers on its socket, as to
 * the CLI), starts worker 0 (which migrates the schema) and then the others, prints the banner once
 * they all listen, replaces a worker that dies, and on SIGTERM stops every worker before the database.
 * With metrics configured it adds up the workers' series and serves them on the separate listener
 * (src/metrics/cluster-metrics.ts).
 *
 * What the workers share lives in the database: nonces (a primary key), the post rate limit (counted
 * under the room's row lock), cached room details (checked against the room's counters) and the
 * cleanup (an advisory lock; its timer runs in worker 0 only).
 */

/** Beyond the shutdown time the workers give their requests, before a stuck worker is killed. */
const STOP_MARGIN_MS = 5000;
const RESTART_DELAY_MS = 1000;

type Ready = Extract<WorkerMessage, { type: 'sogs:worker-ready' }>;

export class WorkerStartError extends OperatorError {}

export async function runPrimary(config: AppConfig, log: Logger): Promise<void> {
  ensureWritableDir(config);
  const { key, created } = loadOrCreateServerKey(config.keyFile);
  // Before any worker: the workers' `ready` messages tell it whom to ask.
  const metrics = config.metrics.listen || config.metrics.token ? new ClusterMetrics(config.metrics.token) : undefined;
  const listener: MetricsListener | undefined = config.metrics.listen && metrics ? await startMetricsListener(config.metrics.listen, metrics) : undefined;
  let database: Awaited<ReturnType<typeof reachDatabase>>;
  try {
    database = await reachDatabase(config, 'server');
  } catch (err) {
    await listener?.close();
    throw err;
  }
  const workers = new Map<number, Worker>();
  if (config.workerHeapMb) cluster.setupPrimary({ execArgv: [...process.execArgv, `--max-old-space-size=${config.workerHeapMb}`] });
  const fork = (index: number) => {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) });
    workers.set(index, worker);
    return worker;
  };
  let first: Ready;
  try {
    first = await started(fork(0)); // migrates alone, so the others find the schema ready
    await Promise.all(Array.from({ length: config.workers - 1 }, (_, i) => started(fork(i + 1))));
  } catch (err) {
    await stopAll(workers, STOP_MARGIN_MS);
    await listener?.close();
    await database.release();
    throw err;
  }

  let stopping = false;
  cluster.on('exit', (worker, code, signal) => {
    const index = [...workers].find(([, w]) => w === worker)?.[0];
    if (stopping || index === undefined) return;
    log.error({ worker: index, code, signal }, 'worker exited; starting a new one');
    metrics?.workerRestarted();
    setTimeout(() => stopping || fork(index), RESTART_DELAY_MS);
  });
  stopOnSignals(
    log,
    async () => {
      stopping = true;
      await listener?.close();
      await stopAll(workers, config.shutdownSeconds * 1000 + STOP_MARGIN_MS);
      await database.release();
    },
    () => {
      for (const w of workers.values()) if (!w.isDead()) w.process.kill('SIGKILL');
    },
  );
  printBanner({
    publicKey: key.publicKeyHex,
    keyFile: config.keyFile,
    keyCreated: created,
    database: database.description,
    uploads: uploadsLocation(config),
    listen: `${config.host}:${first.port}`,
    workers: config.workers,
    metrics: listener?.description,
    botApi: first.botApi,
    rooms: first.rooms ?? [],
  });
  log.info({ host: config.host, port: first.port, workers: config.workers }, 'listening');
}

/** Resolves when the worker listens; rejects with its reason if it stops first. */
function started(worker: Worker): Promise<Ready> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    const onExit = (code: number | null, signal: string | null) =>
      reject(new WorkerStartError(failure ?? `a server worker stopped while starting (${signal ?? `exit code ${code}`})`));
    const onMessage = (m: unknown) => {
      if (!isWorkerMessage(m)) return;
      if (m.type === 'sogs:worker-failed') {
        failure = m.message;
        return;
      }
      if (m.type !== 'sogs:worker-ready') return;
      worker.off('exit', onExit).off('message', onMessage);
      resolve(m);
    };
    worker.on('exit', onExit).on('message', onMessage);
  });
}

/** SIGTERM to every live worker; any still running after `graceMs` is killed. */
async function stopAll(workers: Map<number, Worker>, graceMs: number): Promise<void> {
  await Promise.all(
    [...workers.values()].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.isDead()) return resolve();
          const kill = setTimeout(() => w.process.kill('SIGKILL'), graceMs);
          w.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          w.process.kill('SIGTERM');
        }),
    ),
  );
}
