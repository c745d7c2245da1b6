import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../database/unavailable';
import { SogsError } from './errors';

export const TEXT_PLAIN = 'text/plain; charset=utf-8';

/** The onion endpoints' paths (with or without a trailing slash, which routes the same). */
export const ONION_PATH = /^\/(oxen\/v4|loki\/v3|oxen\/v3)\/lsrpc\/?(\?|$)/;

export interface ErrorResponse {
  status: number;
  body: string;
  /** Seconds, for a 503. */
  retryAfter?: number;
}

/** How soon a client may try again while the database is away. */
const DATABASE_RETRY_AFTER = 5;
/** At most one log line per this many ms while the database is away, not one per request. */
const UNAVAILABLE_LOG_EVERY = 10_000;
let lastUnavailableLog = 0;

/** Maps anything thrown to a status and a plain-text body; unknown errors become a logged 500. */
export function toErrorResponse(err: unknown, log?: Logger): ErrorResponse {
  if (err instanceof SogsError) return { status: err.status, body: err.message };
  if (err instanceof HttpException) {
    const status = err.getStatus();
    return { status, body: status === 404 ? 'Not found' : err.message };
  }
  const statusCode = (err as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: clientErrorText(err as Error & { code?: string }) };
  }
  if (isDatabaseUnavailable(err)) {
    if (Date.now() - lastUnavailableLog > UNAVAILABLE_LOG_EVERY) {
      lastUnavailableLog = Date.now();
      log?.warn({ err: { type: (err as Error).name, message: (err as Error).message } }, 'database unavailable');
    }
    return { status: 503, body: 'Service unavailable: the database cannot be reached; try again shortly', retryAfter: DATABASE_RETRY_AFTER };
  }
  log?.error({ err: describe(err) }, 'unhandled error');
  return { status: 500, body: 'Internal server error' };
}

function clientErrorText(err: Error & { code?: string }): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Payload too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported content type';
    default:
      return err.message || 'Bad request';
  }
}

/** Error details for logs: name, message and stack, never request data. */
function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { type: err.name, message: err.message, stack: err.stack };
  return { value: String(err) };
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = toErrorResponse(exception, this.log);
    let { status, body } = error;
    if (error.retryAfter !== undefined) void reply.header('retry-after', String(error.retryAfter));
    // A service node relaying an onion request gets 400 for any envelope it cannot use (§4.2).
    if (status === 413 && ONION_PATH.test(host.switchToHttp().getRequest<FastifyRequest>().url)) {
      [status, body] = [400, 'Invalid onion request: too large'];
    }
    void reply.status(status).header('content-type', TEXT_PLAIN).send(body);
  }
}
