import 'reflect-metadata';
import cluster from 'node:cluster';
import { loadConfig, loadEnvFile } from './config/config';
import { describeFatal } from './core/fatal';
import { createLogger } from './logging/logger';

// Each role loads only what it runs: the primary of a cluster stays small (no Nest, no TypeORM).
async function main(): Promise<void> {
  loadEnvFile();
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  if (cluster.isWorker) return (await import('./core/cluster-worker')).runWorker(config, log);
  if (config.workers > 1) return (await import('./core/cluster-primary')).runPrimary(config, log);
  return (await import('./core/serve')).serveAlone(config, log);
}

main().catch((err) => {
  process.stderr.write(`sogs: cannot start: ${describeFatal(err)}\n`);
  process.exit(1);
});
