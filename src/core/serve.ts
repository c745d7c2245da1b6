import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { createHttpApp } from '../http/create-app';
import { RoomsService } from '../rooms/rooms.service';
import { DatabaseRole } from '../database/reach-database';
import { BotApiListener } from '../bots/api/bot-api-listener';
import { Metrics } from '../metrics/metrics';
import { startMetricsListener } from '../metrics/metrics-listener';
import { BannerRoom, printBanner, uploadsLocation } from './banner';
import { OpenedRuntime, openRuntime, runStartupTasks } from './open-runtime';
import { stopOnSignals } from './signals';

/** One process answering HTTP: the whole server, or one worker of a cluster. */
export interface Serving {
  opened: OpenedRuntime;
  /** The port actually bound (differs from the config's when it asked for 0). */
  port: number;
  /** This process's series. */
  metrics: Metrics;
  /** Where this process serves the local bot API, if it does. */
  botApi?: string;
  rooms(): Promise<BannerRoom[]>;
  /** Stops accepting, finishes what is in flight, closes the database. Never throws. */
  stop(): Promise<void>;
}

export async function startServing(
  config: AppConfig,
  log: Logger,
  opts: { role: Exclude<DatabaseRole, 'cli'>; migrate: boolean },
): Promise<Serving> {
  const opened = await openRuntime(config, log, opts);
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
  const address = server.getHttpServer().address();
  const rooms = server.get(RoomsService);
  return {
    opened,
    port: typeof address === 'object' && address ? address.port : config.port,
    metrics: server.get(Metrics),
    botApi: config.botApi.listen ? server.get(BotApiListener, { strict: false }).address : undefined,
    rooms: async () => (await rooms.list()).map((r) => ({ token: r.token, name: r.name, url: rooms.joinUrl(r) })),
    stop: async () => {
      // Finish what is in flight, but not for longer than configured: a client trickling its
      // headers or an upload would otherwise keep the process alive indefinitely.
      const http = server.getHttpServer();
      const force = setTimeout(() => http.closeAllConnections(), config.shutdownSeconds * 1000);
      try {
        await server.close();
      } catch (err) {
        log.error({ err: { type: (err as Error).name, message: (err as Error).message } }, 'error while closing the HTTP server');
      } finally {
        clearTimeout(force);
        await opened.close().catch(() => undefined);
      }
    },
  };
}

/** The server as one process (`SOGS_WORKERS=1`). */
export async function serveAlone(config: AppConfig, log: Logger): Promise<void> {
  const serving = await startServing(config, log, { role: 'server', migrate: true });
  const { metrics } = serving;
  const listener = config.metrics.listen
    ? await startMetricsListener(config.metrics.listen, { scrape: () => metrics.scrape(), contentType: metrics.contentType, token: config.metrics.token }).catch(
        async (err: unknown) => {
          await serving.stop();
          throw err;
        },
      )
    : undefined;
  stopOnSignals(log, async () => {
    await listener?.close();
    await serving.stop();
  });
  printBanner({
    publicKey: serving.opened.runtime.serverKey.publicKeyHex,
    keyFile: config.keyFile,
    keyCreated: serving.opened.keyCreated,
    database: serving.opened.databaseDescription,
    uploads: uploadsLocation(config),
    listen: `${config.host}:${serving.port}`,
    workers: 1,
    metrics: listener?.description,
    botApi: serving.botApi,
    rooms: await serving.rooms(),
  });
  log.info({ host: config.host, port: serving.port }, 'listening');
}
