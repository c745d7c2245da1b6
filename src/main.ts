import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, loadEnvFile } from './config/config';
import { describeFatal } from './core/fatal';
import { openRuntime, runStartupTasks } from './core/open-runtime';
import { createHttpApp } from './http/create-app';
import { createLogger } from './logging/logger';
import { RoomsService } from './rooms/rooms.service';
import { printBanner } from './core/banner';

async function main(): Promise<void> {
  loadEnvFile();
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const opened = await openRuntime(config, log, { role: 'server' });
  let app: NestFastifyApplication | undefined;
  try {
    app = await createHttpApp(opened.runtime);
    await runStartupTasks(app);
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app?.close().catch(() => undefined);
    await opened.close();
    throw err;
  }
  const server = app;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      await server.close();
    } finally {
      await opened.close();
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const address = server.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const rooms = server.get(RoomsService);
  printBanner({
    publicKey: opened.runtime.serverKey.publicKeyHex,
    keyFile: config.keyFile,
    keyCreated: opened.keyCreated,
    database: opened.databaseDescription,
    listen: `${config.host}:${port}`,
    rooms: (await rooms.list()).map((r) => ({ token: r.token, name: r.name, url: rooms.joinUrl(r) })),
  });
  log.info({ host: config.host, port }, 'listening');
}

main().catch((err) => {
  process.stderr.write(`sogs: cannot start: ${describeFatal(err)}\n`);
  process.exit(1);
});
