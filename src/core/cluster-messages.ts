import type { BannerRoom } from './banner';

/** What a worker tells the cluster's primary. */
export type WorkerMessage =
  | { type: 'sogs:worker-ready'; index: number; port: number; rooms?: BannerRoom[]; botApi?: string }
  | { type: 'sogs:worker-failed'; message: string };

export const WORKER_INDEX_ENV = 'SOGS_WORKER_INDEX';

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('sogs:worker-');
}

/**
 * Metrics between the primary and its workers (src/metrics/cluster-metrics.ts): the primary asks
 * every worker for its series (collect → report) and adds them up; a worker answering a scrape on
 * the main port asks the primary for that sum (request → view).
 */
export type MetricsMessage =
  | { type: 'sogs:metrics-collect'; id: number }
  | { type: 'sogs:metrics-report'; id: number; metrics: object[] }
  | { type: 'sogs:metrics-request'; id: number }
  | { type: 'sogs:metrics-view'; id: number; text?: string };

export function isMetricsMessage(m: unknown): m is MetricsMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('sogs:metrics-');
}
