import type { Logger } from 'pino';

/**
 * Runs `stop` on the first SIGINT or SIGTERM, then exits 0. A second signal runs `now` and exits
 * at once (1); with `now` null it is ignored: a cluster's workers get the terminal's or systemd's
 * signal and then the primary's, and only the primary decides to cut things short.
 */
export function stopOnSignals(log: Logger, stop: () => Promise<void>, now: (() => void) | null = () => undefined): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      if (!now) return;
      log.warn({ signal }, 'second signal: exiting now');
      now();
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    void stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
