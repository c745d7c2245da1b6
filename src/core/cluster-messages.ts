import type { BannerRoom } from './banner';

/** What a worker tells the cluster's primary. */
export type WorkerMessage =
  | { type: 'sogs:worker-ready'; index: number; port: number; rooms?: BannerRoom[] }
  | { type: 'sogs:worker-failed'; message: string };

export const WORKER_INDEX_ENV = 'SOGS_WORKER_INDEX';

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('sogs:worker-');
}
