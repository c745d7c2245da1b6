import cluster, { Worker } from 'node:cluster';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { isMetricsMessage, isWorkerMessage, MetricsMessage } from '../core/cluster-messages';
import { METRIC_PREFIX } from './metrics';

/** How long a scrape waits for the workers; one that has not answered by then is left out of it. */
const WORKER_ANSWER_MS = 3000;

/**
 * The primary's side of a cluster's metrics. A scrape (on the separate listener, which lives here,
 * or on a worker's main port, which asks here) asks every worker that has started for its series
 * over IPC and adds them up with prom-client's AggregatorRegistry: counters and histograms summed,
 * gauges summed (pool connections) unless their own rule says otherwise (event-loop lag: largest,
 * or average for prom-client's). A worker that does not answer within 3 s (stuck, or being
 * replaced) is left out rather than failing the scrape: `sogs_cluster_workers_scraped` says how many
 * are in it. The primary's own process (which also runs the embedded database) is reported as
 * `sogs_primary_…`. Loads prom-client only: no Nest, no TypeORM.
 */
export class ClusterMetrics {
  private readonly own = new Registry();
  private readonly ready = new Set<Worker>();
  private readonly waiting = new Map<number, (worker: Worker, metrics: object[]) => void>();
  private nextId = 0;
  private readonly scraped = new Gauge({
    name: 'sogs_cluster_workers_scraped',
    help: 'Workers whose series are in this scrape.',
    registers: [this.own],
  });
  private readonly restarts = new Counter({
    name: 'sogs_cluster_worker_restarts_total',
    help: 'Workers that stopped unexpectedly and were replaced.',
    registers: [this.own],
  });

  constructor(readonly token: string) {
    collectDefaultMetrics({ register: this.own, prefix: `${METRIC_PREFIX}primary_` });
    cluster.on('message', (worker, m: unknown) => this.onMessage(worker, m));
    cluster.on('exit', (worker) => this.ready.delete(worker));
  }

  get contentType(): string {
    return this.own.contentType;
  }

  workerRestarted(): void {
    this.restarts.inc();
  }

  /** Every started worker's series, added up, then the primary's own. */
  async scrape(): Promise<string> {
    const reports = await this.collect([...this.ready].filter((w) => w.isConnected()));
    this.scraped.set(reports.length);
    const sum = reports.length ? await AggregatorRegistry.aggregate(reports).metrics() : '';
    return sum + (await this.own.metrics());
  }

  private collect(workers: Worker[]): Promise<object[][]> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const reports: object[][] = [];
      const finish = () => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(reports);
      };
      const timer = setTimeout(finish, WORKER_ANSWER_MS);
      this.waiting.set(id, (_worker, metrics) => {
        reports.push(metrics);
        if (reports.length === workers.length) finish();
      });
      for (const w of workers) send(w, { type: 'sogs:metrics-collect', id });
      if (!workers.length) finish();
    });
  }

  private onMessage(worker: Worker, m: unknown): void {
    if (isWorkerMessage(m) && m.type === 'sogs:worker-ready') this.ready.add(worker);
    if (!isMetricsMessage(m)) return;
    if (m.type === 'sogs:metrics-report') this.waiting.get(m.id)?.(worker, m.metrics);
    if (m.type === 'sogs:metrics-request') {
      this.scrape().then(
        (text) => send(worker, { type: 'sogs:metrics-view', id: m.id, text }),
        () => send(worker, { type: 'sogs:metrics-view', id: m.id }),
      );
    }
  }
}

/** A worker that went away meanwhile is simply not answered (the callback takes the error). */
function send(worker: Worker, message: MetricsMessage): void {
  if (worker.isConnected()) worker.send(message, undefined, undefined, () => undefined);
}
