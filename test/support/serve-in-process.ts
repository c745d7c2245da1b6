import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '../../src/config/config';
import { openRuntime, runStartupTasks } from '../../src/core/open-runtime';
import { createHttpApp } from '../../src/http/create-app';
import { createLogger } from '../../src/logging/logger';
import { signed } from './session-client';

export interface ServedApp {
  app: INestApplication;
  server: Parameters<typeof signed>[0];
  publicKey: string;
  close(): Promise<void>;
}

/**
 * The server as main.ts starts it (the embedded database of SOGS_DATA_DIR, or DATABASE_URL), in
 * this process, without the cleanup timer: for tests that start a server on what a command made
 * (a restore, an import).
 */
export async function serveInProcess(env: Record<string, string>): Promise<ServedApp> {
  const config = loadConfig({ SOGS_BASE_URL: 'http://sogs.example.org', SOGS_LOG_LEVEL: 'silent', SOGS_CLEANUP_INTERVAL_SECONDS: '0', ...env });
  const opened = await openRuntime(config, createLogger('silent'), { role: 'server' });
  const app = await createHttpApp(opened.runtime);
  await app.getHttpAdapter().getInstance().ready();
  await runStartupTasks(app);
  return {
    app,
    server: app.getHttpServer(),
    publicKey: opened.runtime.serverKey.publicKeyHex,
    close: async () => {
      await app.close();
      await opened.close();
    },
  };
}
