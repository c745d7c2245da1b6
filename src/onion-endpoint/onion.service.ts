import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { BadRequest } from '../common/errors';
import { TEXT_PLAIN } from '../common/error.filter';
import { bencodeList, openOnionRequest, OpenedOnionRequest, sealOnionReply } from '../crypto';
import { SubrequestDispatcher } from '../dispatch/subrequest-dispatcher';
import { ServerKey } from '../keys/server-key';
import { LOGGER } from '../logging/logger';
import { Metrics, OnionOutcome } from '../metrics/metrics';
import { innerRequest, InnerRequest, parseV4Request } from './v4-request';

/**
 * Onion requests (§4): a service node relays the client's encrypted request; the server opens it,
 * runs the inner request through the ordinary router (authenticated by the inner X-SOGS-*
 * headers) and returns the response encrypted with the same key. Only an envelope that cannot be
 * opened gets a plain HTTP 400; everything after that is answered inside the encrypted reply.
 */
@Injectable()
export class OnionService {
  constructor(
    private readonly serverKey: ServerKey,
    private readonly dispatcher: SubrequestDispatcher,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** v4: bencoded `[meta, body]` in, bencoded `[{"code","headers"}, body]` out, raw bytes. */
  async v4(body: Buffer): Promise<Buffer> {
    const opened = this.open(body, 'v4');
    const inner = parseV4Request(opened.plaintext);
    let meta: { code: number; headers: Record<string, string> };
    let content: Buffer;
    if (!inner) {
      meta = { code: 400, headers: { 'content-type': TEXT_PLAIN } };
      content = Buffer.from('Invalid v4 onion request');
      this.count('v4', opened.encType, 'invalid');
    } else {
      const res = await this.run(inner);
      meta = { code: res.status, headers: res.headers };
      content = res.body;
      this.count('v4', opened.encType, byStatus(res.status));
    }
    return sealOnionReply(opened, bencodeList([JSON.stringify(meta), content]));
  }

  /**
   * v3 (deprecated): a JSON request with a string body in, the response body (2xx) or
   * `{"status_code": N}` out, encrypted and base64-encoded.
   */
  async v3(body: Buffer): Promise<string> {
    const opened = this.open(body, 'v3');
    const { reply, outcome } = await this.v3Reply(opened.plaintext);
    this.count('v3', opened.encType, outcome);
    return sealOnionReply(opened, reply).toString('base64');
  }

  private async v3Reply(plaintext: Buffer): Promise<{ reply: Buffer; outcome: OnionOutcome }> {
    const status = (code: number) => ({
      reply: Buffer.from(JSON.stringify({ status_code: code })),
      outcome: code === 404 ? ('client_error' as const) : ('invalid' as const),
    });
    let json: unknown;
    try {
      json = JSON.parse(plaintext.toString('utf8'));
    } catch {
      return status(400);
    }
    const endpoint = (json as { endpoint?: unknown } | null)?.endpoint;
    // Legacy (pre-2022) endpoints have no leading slash; this server does not implement them.
    if (typeof endpoint === 'string' && !endpoint.startsWith('/')) return status(404);
    const request = innerRequest(json);
    if (!request) return status(400);
    const bodyText = (json as { body?: unknown }).body;
    if (bodyText !== undefined && bodyText !== null && typeof bodyText !== 'string') return status(400);
    let bytes = Buffer.from(typeof bodyText === 'string' ? bodyText : '', 'utf8');
    if (request.method === 'GET' || request.method === 'DELETE') {
      // Android sent the string "null" as the body of GETs for a while.
      if (bodyText === 'null') bytes = Buffer.alloc(0);
      else if (bytes.length) return status(400);
    }
    const res = await this.run({ ...request, headers: { ...request.headers, 'content-type': 'application/json' }, body: bytes });
    const outcome = byStatus(res.status);
    return { reply: res.status >= 200 && res.status < 300 ? res.body : status(res.status).reply, outcome };
  }

  private open(body: Buffer, version: 'v3' | 'v4'): OpenedOnionRequest {
    const opened = openOnionRequest(body, this.serverKey.privateKey, this.serverKey.publicKey);
    if (!opened.ok) {
      this.log.debug({ reason: opened.reason }, 'rejected onion request');
      this.count(version, opened.encType ?? 'unknown', 'rejected');
      throw new BadRequest('Invalid onion request');
    }
    return opened;
  }

  private count(version: 'v3' | 'v4', cipher: string, outcome: OnionOutcome): void {
    this.metrics.onion.inc({ version, cipher, outcome });
  }

  private run(inner: InnerRequest) {
    return this.dispatcher.dispatch({ method: inner.method, path: inner.endpoint, headers: inner.headers, body: inner.body }, 'authenticate');
  }
}

/** The outcome of an onion request whose inner request ran, by the inner status. */
function byStatus(status: number): OnionOutcome {
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'client_error';
  return 'ok';
}
