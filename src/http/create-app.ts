import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { AppModule } from '../app.module';
import { ErrorFilter } from '../common/error.filter';
import { createValidationPipe } from '../common/validation/validation.pipe';
import { Runtime } from '../core/runtime';
import { isJsonContentType, JSON_CONTENT_TYPE } from '../dispatch/subresponse-headers';
import { NestPinoLogger } from '../logging/logger';
import { bodyLimit, refuseOversizedBodies } from './body-limits';
import { UNMATCHED_ROUTE } from '../metrics/http-request-counter';
import { Metrics } from '../metrics/metrics';
import { POLL_ROUTES } from '../metrics/poll';
import { requestSource } from '../metrics/request-source';
import { installLoadShedding } from './load-shedding';
import { redactInviteCode } from '../invites/invite-code';

/** How Fastify labels the JSON it serialises. */
const FASTIFY_JSON = 'application/json; charset=utf-8';

/** A client trickling a whole request is cut off after this (ms); its headers: SOGS_HEADERS_TIMEOUT_SECONDS. */
const REQUEST_TIMEOUT = 120_000;
/**
 * How often Node checks those two timeouts (ms). Its default, 30 s, would let a 15 s headers
 * timeout act only after up to 45 s; the check walks the open connections, cheap once a second.
 */
const TIMEOUT_CHECK_INTERVAL = 1000;

/** The Nest application on Fastify, configured the same way for the server and the tests. */
export async function createHttpApp(runtime: Runtime): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: bodyLimit(runtime.config),
    // Reaction paths carry emoji and `/`; never let a path length limit turn into a 5xx.
    // `/r/{token}/` (browser pages) and `/r/{token}` are one route.
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: true },
    trustProxy: runtime.config.trustProxy,
    requestTimeout: REQUEST_TIMEOUT,
    http: { connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL, headersTimeout: runtime.config.headersTimeoutSeconds * 1000 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRuntime(runtime), adapter, {
    logger: new NestPinoLogger(runtime.log),
    bodyParser: false,
  });
  app.useGlobalFilters(new ErrorFilter(runtime.log));
  app.useGlobalPipes(createValidationPipe());
  const metrics = app.get(Metrics);
  metrics.collectProcessMetrics();
  configureFastify(app.getHttpAdapter().getInstance(), runtime, metrics);
  refuseOversizedBodies(app.getHttpAdapter().getInstance(), app.getHttpServer(), runtime.config);
  await app.init();
  return app;
}

function configureFastify(fastify: FastifyInstance, runtime: Runtime, metrics: Metrics): void {
  installLoadShedding(fastify, runtime.config.shedLagMs, metrics);

  // A route may take a smaller body than the server-wide limit: `@RouteConfig({ bodyLimit })`.
  fastify.addHook('onRoute', (route) => {
    const limit = (route.config as { bodyLimit?: unknown } | undefined)?.bodyLimit;
    if (typeof limit === 'number') route.bodyLimit = limit;
  });

  // Every body arrives as raw bytes whatever its content type: signatures cover the exact bytes,
  // clients send JSON with or without a content type, and uploads are raw octets.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // JSON is labelled exactly `application/json`, as the reference does: the Session desktop compares
  // the content type of (sub)responses exactly, and Fastify would add `; charset=utf-8`. Batch and
  // onion subresponses are replies of this same instance, so they are labelled here too.
  // A callback hook, and Fastify's own label compared first: an async hook costs a promise per
  // response, and parsing the label costs as much again; both measurable on cheap requests.
  fastify.addHook('onSend', (_req, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (type === FASTIFY_JSON || (typeof type === 'string' && type !== JSON_CONTENT_TYPE && isJsonContentType(type))) {
      reply.header('content-type', JSON_CONTENT_TYPE);
    }
    done(null, payload);
  });

  // Every response is counted by route pattern (never the path: it holds Session IDs), status and
  // source; polls are timed (see src/metrics/poll.ts). A map update and a set lookup per request.
  const { log, config } = runtime;
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url;
    const source = requestSource(req);
    metrics.http.count(req.method, route, reply.statusCode, source);
    if (req.sogsPoll || (source !== 'batch' && route !== undefined && POLL_ROUTES.has(route))) {
      metrics.pollSeconds.observe(reply.elapsedTime / 1000);
    }
    if (log.isLevelEnabled('debug')) {
      const entry: Record<string, unknown> = {
        method: req.method,
        route: route ?? UNMATCHED_ROUTE,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      };
      // Invite codes never reach a log, even with SOGS_LOG_PRIVATE.
      if (config.logPrivate) Object.assign(entry, { url: redactInviteCode(req.url), ip: req.ip });
      log.debug(entry, 'request');
    }
    done();
  });
}
