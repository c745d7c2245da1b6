import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/common/clock';
import { AppConfig, loadConfig } from '../../src/config/config';
import { runStartupTasks } from '../../src/core/open-runtime';
import { Runtime } from '../../src/core/runtime';
import { initCrypto } from '../../src/crypto';
import { createHttpApp } from '../../src/http/create-app';
import { ServerKey } from '../../src/keys/server-key';
import { createLogger } from '../../src/logging/logger';
import { SessionClient } from './session-client';
import { openTestDatabase, TestDatabase, TestDatabaseOptions } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  /** For supertest: `request(t.server)`. */
  server: NestFastifyApplication['getHttpServer'] extends () => infer S ? S : never;
  runtime: Runtime;
  config: AppConfig;
  clock: ManualClock;
  serverKey: ServerKey;
  database: TestDatabase;
  dataDir: string;
  /** A new Session account whose clock is the app's ManualClock. */
  newClient(): SessionClient;
  close(): Promise<void>;
}

export interface TestAppOptions extends TestDatabaseOptions {
  env?: Record<string, string>;
  serverPrivateKey?: Buffer;
  /** Where the server's log lines go (default: stdout). */
  logDestination?: { write(line: string): void };
  /** Test-only routes added to the Fastify instance before it starts (outside Nest: no guard runs). */
  routes?: (fastify: FastifyInstance) => void;
}

/**
 * The real application (Fastify, Nest, services, SQL) on a fresh test database, with a manual
 * clock and a temporary data directory. `env` overrides configuration variables.
 */
export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  await initCrypto();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-test-'));
  const config = loadConfig({ SOGS_DATA_DIR: dataDir, SOGS_BASE_URL: 'http://sogs.example.org', SOGS_LOG_LEVEL: 'silent', SOGS_CLEANUP_INTERVAL_SECONDS: '0', SOGS_SHED_LAG_MS: '0', ...opts.env });
  const database = await openTestDatabase(opts);
  const clock = new ManualClock();
  const privateKey = opts.serverPrivateKey ?? randomBytes(32);
  // The CLI reads the key from the data directory, as on a real installation.
  fs.writeFileSync(config.keyFile, privateKey, { mode: 0o600 });
  const serverKey = ServerKey.fromPrivateKey(privateKey);
  const runtime: Runtime = { config, db: database.db, serverKey, log: createLogger(config.logLevel, opts.logDestination), clock };
  const app = await createHttpApp(runtime);
  opts.routes?.(app.getHttpAdapter().getInstance());
  await app.getHttpAdapter().getInstance().ready();
  await runStartupTasks(app);
  return {
    app,
    server: app.getHttpServer(),
    runtime,
    config,
    clock,
    serverKey,
    database,
    dataDir,
    newClient: () => SessionClient.random(serverKey.publicKey, () => clock.now()),
    close: async () => {
      await app.close();
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
