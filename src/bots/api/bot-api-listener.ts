import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import * as http from 'node:http';
import type { Logger } from 'pino';
import { OperatorError } from '../../common/operator-error';
import { AppConfig, CONFIG } from '../../config/config';
import { LOGGER } from '../../logging/logger';
import { bindListener, closeListener, listenUrl } from '../../http/listen-address';

export class BotApiListenError extends OperatorError {}

/** Requests that arrived on the bot API's listener; nothing from outside it can be added. */
const fromBotListener = new WeakSet<http.IncomingMessage>();

export function isBotApiRequest(raw: http.IncomingMessage): boolean {
  return fromBotListener.has(raw);
}

/**
 * The local bot API's own listener (SOGS_BOT_API_LISTEN), separate from the public port: a plain
 * node:http server that marks each request and hands it to the application's Fastify router, so the
 * bot routes share its hooks, validation and error mapping, while BotApiGuard answers 404 to the
 * same paths on the public port, in batches and in onion requests.
 */
@Injectable()
export class BotApiListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: http.Server;
  /** Where it listens, once bound: `http://127.0.0.1:PORT` or `unix:/path`. */
  address?: string;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const listen = this.config.botApi.listen;
    if (!listen) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const server = http.createServer((req, res) => {
      fromBotListener.add(req);
      fastify.ready().then(
        () => fastify.routing(req, res),
        () => res.writeHead(503).end(),
      );
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    const bound = await bindListener(server, listen, (reason) => new BotApiListenError(`cannot serve the bot API on ${listenUrl(listen)}: ${reason} (SOGS_BOT_API_LISTEN)`));
    this.server = server;
    this.address = listenUrl(bound);
    this.log.info({ address: this.address }, 'bot API listening');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await closeListener(server);
  }
}
