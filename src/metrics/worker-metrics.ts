import { isMetricsMessage, MetricsMessage } from '../core/cluster-messages';
import { Metrics } from './metrics';

/** A scrape on the main port waits this long for the primary's sum (it waits at most 3 s per worker). */
const PRIMARY_ANSWER_MS = 5000;

/**
 * A cluster worker's side of the metrics (see cluster-metrics.ts): it reports its series when the
 * primary asks, and a scrape on its main port answers the whole cluster's, got from the primary.
 */
export function shareMetricsWithPrimary(metrics: Metrics): void {
  const waiting = new Map<number, (text: string | undefined) => void>();
  let nextId = 0;
  process.on('message', (m: unknown) => {
    if (!isMetricsMessage(m)) return;
    if (m.type === 'sogs:metrics-collect') {
      void metrics.registry.getMetricsAsJSON().then((json) => tell({ type: 'sogs:metrics-report', id: m.id, metrics: json }));
    } else if (m.type === 'sogs:metrics-view') {
      waiting.get(m.id)?.(m.text);
    }
  });
  metrics.scrapeFrom(
    () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++;
        const done = (text: string | undefined) => {
          clearTimeout(timer);
          waiting.delete(id);
          if (text === undefined) reject(new Error('the primary did not answer with the metrics'));
          else resolve(text);
        };
        const timer = setTimeout(() => done(undefined), PRIMARY_ANSWER_MS);
        waiting.set(id, done);
        tell({ type: 'sogs:metrics-request', id });
      }),
  );
}

function tell(message: MetricsMessage): void {
  if (process.connected) process.send!(message, undefined, undefined, () => undefined);
}
