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

/** How Fastify labels the JSON it serialises. */
const FASTIFY_JSON = 'application/json; charset=utf-8';

/** A client trickling its headers, or a whole request, is cut off after these (ms). */
const HEADERS_TIMEOUT = 15_000;
const REQUEST_TIMEOUT = 120_000;

/** The Nest application on Fastify, configured the same way for the server and the tests. */
export async function createHttpApp(runtime: Runtime): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: bodyLimit(runtime.config),
    // Reaction paths carry emoji and `/`; never let a path length limit turn into a 5xx.
    // `/r/{token}/` (browser pages) and `/r/{token}` are one route.
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: true },
    trustProxy: true,
    requestTimeout: REQUEST_TIMEOUT,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRuntime(runtime), adapter, {
    logger: new NestPinoLogger(runtime.log),
    bodyParser: false,
  });
  app.getHttpServer().headersTimeout = HEADERS_TIMEOUT;
  app.useGlobalFilters(new ErrorFilter(runtime.log));
  app.useGlobalPipes(createValidationPipe());
  configureFastify(app.getHttpAdapter().getInstance(), runtime);
  refuseOversizedBodies(app.getHttpAdapter().getInstance(), app.getHttpServer(), runtime.config);
  await app.init();
  return app;
}

function configureFastify(fastify: FastifyInstance, runtime: Runtime): void {
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

  const { log, config } = runtime;
  fastify.addHook('onResponse', (req, reply, done) => {
    if (log.isLevelEnabled('debug')) {
      const entry: Record<string, unknown> = {
        method: req.method,
        route: req.routeOptions.url ?? '(unmatched)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      };
      if (config.logPrivate) Object.assign(entry, { url: req.url, ip: req.ip });
      log.debug(entry, 'request');
    }
    done();
  });
}
