import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { ONION_PATH, TEXT_PLAIN } from '../common/error.filter';
import { AppConfig } from '../config/config';

/** Room for the framing of an onion request around the largest upload. */
const BODY_OVERHEAD = 1024 * 1024;
/** After refusing a body, how long the client may go on sending it (discarded) before it is cut off. */
const DISCARD_GRACE_MS = 10_000;

const UPLOAD_PATH = /^\/room\/[^/?]+\/file\/?(\?|$)/;

/** The largest body any request may carry (an onion request wrapping the largest upload). */
export function bodyLimit(config: AppConfig): number {
  return config.uploadMaxBytes + BODY_OVERHEAD;
}

interface Refusal {
  status: number;
  body: string;
}

/**
 * A body whose declared `Content-Length` is over the limit is refused before a byte of it is read,
 * and the connection is kept: Node reads and discards what the client still sends (for up to
 * 10 s), so the client is not reset mid-upload and reads the answer. Fastify's own check would
 * answer the same but close the connection with the body unread, which resets it: the client
 * often saw a broken pipe instead of the 413. A client that asks first (`Expect: 100-continue`)
 * gets the refusal instead of the go-ahead and never sends the body.
 */
export function refuseOversizedBodies(fastify: FastifyInstance, http: Server, config: AppConfig): void {
  const refusal = (url: string, declared: number): Refusal | undefined => {
    if (UPLOAD_PATH.test(url)) {
      return declared > config.uploadMaxBytes ? { status: 413, body: `File too large: the limit is ${config.uploadMaxBytes} bytes` } : undefined;
    }
    if (declared <= bodyLimit(config)) return undefined;
    // A service node relaying an onion request gets 400 for any envelope it cannot use (§4.2).
    if (ONION_PATH.test(url)) return { status: 400, body: 'Invalid onion request: too large' };
    return { status: 413, body: `Request body too large: the limit is ${bodyLimit(config)} bytes` };
  };
  const declaredLength = (req: IncomingMessage): number => Number(req.headers['content-length'] ?? 0);

  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done) => {
    const declared = declaredLength(req.raw);
    const refused = declared > 0 ? refusal(req.url, declared) : undefined;
    if (!refused) return done();
    limitDiscarding(req.raw);
    void reply.code(refused.status).header('content-type', TEXT_PLAIN).send(refused.body);
  });

  http.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const refused = refusal(req.url ?? '/', declaredLength(req));
    if (!refused) {
      res.writeContinue();
      http.emit('request', req, res);
      return;
    }
    // The body was never invited; close rather than wait for one that may not come.
    res.writeHead(refused.status, { 'content-type': TEXT_PLAIN, connection: 'close', 'content-length': Buffer.byteLength(refused.body) });
    res.end(refused.body);
  });
}

/** Cuts the connection if the client is still sending the refused body after the grace period. */
function limitDiscarding(req: IncomingMessage): void {
  if (!(req.socket instanceof Socket)) return; // a subrequest of /batch or of an onion request: nothing on the wire
  const timer = setTimeout(() => req.socket.destroy(), DISCARD_GRACE_MS);
  timer.unref();
  const stop = () => clearTimeout(timer);
  req.once('end', stop).once('close', stop);
}
