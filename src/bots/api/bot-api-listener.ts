import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { OperatorError } from '../../common/operator-error';
import { AppConfig, CONFIG } from '../../config/config';
import { LOGGER } from '../../logging/logger';
import { ListenAddress } from '../../metrics/listen-address';

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
    if ('socket' in listen) removeStaleSocket(listen.socket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new BotApiListenError(`cannot serve the bot API on ${describe(listen)}: ${err.code ?? err.message} (SOGS_BOT_API_LISTEN)`)),
      );
      if ('socket' in listen) server.listen(listen.socket, resolve);
      else server.listen(listen.port, listen.host, resolve);
    });
    this.server = server;
    this.address = describe('socket' in listen ? listen : { host: listen.host, port: (server.address() as AddressInfo).port });
    this.log.info({ address: this.address }, 'bot API listening');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

function describe(a: ListenAddress): string {
  if ('socket' in a) return `unix:${a.socket}`;
  return `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/** A socket file left by a process that ended without removing it; anything else is left alone. */
function removeStaleSocket(file: string): void {
  try {
    if (fs.statSync(file).isSocket()) fs.rmSync(file);
  } catch {
    // absent: nothing to remove
  }
}
