import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Logger } from 'pino';
import { INTERNAL_REQUEST_HEADER, InternalRequests } from '../auth/internal-requests';
import { TEXT_PLAIN, toErrorResponse } from '../common/error.filter';
import { LOGGER } from '../logging/logger';
import { DispatchAs, Subrequest, Subresponse } from './subrequest';
import { injectableTarget } from './subrequest-target';
import { subresponseHeaders } from './subresponse-headers';

/** Inner headers that describe the framing the injector rebuilds from the body itself. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding']);

/**
 * Runs subrequests through the same Fastify router, guards and handlers as outside requests, so
 * every endpoint has one implementation whether it is reached directly, in a batch or by onion.
 */
@Injectable()
export class SubrequestDispatcher {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly internal: InternalRequests,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * Never throws: a subrequest that fails inside the server is answered like any failing
   * request (a 500), so callers can always return one result per subrequest.
   */
  async dispatch(req: Subrequest, as: DispatchAs): Promise<Subresponse> {
    const url = injectableTarget(req.path);
    if (url === null) return plainText(404, 'Not found');
    const headers = this.innerHeaders(req, as);
    const marker = as === 'authenticate' ? undefined : this.internal.register(as.user, as.scope);
    try {
      if (marker !== undefined) headers[INTERNAL_REQUEST_HEADER] = marker;
      const options: InjectOptions = { method: req.method as InjectOptions['method'], url, headers };
      if (req.body.length > 0) options.payload = req.body;
      const res = await this.fastify().inject(options);
      // The headers the endpoint set, without the Date and Connection that Node adds to every
      // response (a file download's own Date, the upload time, is kept).
      const out = subresponseHeaders(res.raw.res.getHeaders());
      return { status: res.statusCode, headers: out, body: res.rawPayload, contentType: out['content-type'] ?? '' };
    } catch (err) {
      const { status, body } = toErrorResponse(err, this.log);
      return plainText(status, body);
    } finally {
      if (marker !== undefined) this.internal.release(marker);
      if (as !== 'authenticate' && req.method !== 'GET') as.scope?.forget();
    }
  }

  /**
   * True when `headers` belong to a subrequest this dispatcher is running as a given user (the
   * marker is only valid while that subrequest runs, so an outside request can never claim it).
   */
  isSubrequest(headers: Record<string, string | string[] | undefined>): boolean {
    return this.internal.userFor(headers[INTERNAL_REQUEST_HEADER]) !== undefined;
  }

  /**
   * Lower-case inner headers. A marker sent by the caller is always dropped; when the user is
   * given, the inner X-SOGS-* headers are dropped too: the subrequest never re-authenticates.
   */
  private innerHeaders(req: Subrequest, as: DispatchAs): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      const key = name.toLowerCase();
      if (key === INTERNAL_REQUEST_HEADER || FRAMING_HEADERS.has(key)) continue;
      if (as !== 'authenticate' && key.startsWith('x-sogs-')) continue;
      out[key] = value;
    }
    // §4.4: an unlabelled body is octet-stream (JSON endpoints parse whatever the label).
    if (req.body.length > 0 && !out['content-type']) out['content-type'] = 'application/octet-stream';
    return out;
  }

  private fastify(): FastifyInstance {
    return this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
  }
}

function plainText(status: number, text: string): Subresponse {
  return { status, headers: { 'content-type': TEXT_PLAIN }, body: Buffer.from(text, 'utf8'), contentType: TEXT_PLAIN };
}
