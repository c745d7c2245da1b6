import { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { INTERNAL_REQUEST_HEADER } from '../auth/internal-requests';
import { RequestSource } from './http-request-counter';

/**
 * A request from the network arrives on a socket; the subrequests this server injects into itself
 * (Fastify's inject) do not. Of those, a batch's carry the dispatcher's marker header (which a
 * client cannot set: it is dropped from whatever a client sends) and an onion request's inner
 * request does not.
 */
export function requestSource(req: FastifyRequest): RequestSource {
  if (req.raw.socket instanceof Socket) return 'client';
  return req.headers[INTERNAL_REQUEST_HEADER] === undefined ? 'onion' : 'batch';
}
