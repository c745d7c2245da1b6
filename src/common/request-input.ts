import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BadRequest, NotFound } from './errors';

/**
 * Reading what a request carries besides its DTOs: path parameters (their own parsers: a bad one
 * names nothing, 404) and bodies, which arrive as raw bytes whatever their content type.
 */

/** Largest id a BIGINT column holds; larger path ids name nothing. */
const MAX_ID = 9_223_372_036_854_775_807n;

/**
 * A non-negative integer path parameter (message, file, seqno, …). Anything else names nothing:
 * 404, as the reference's router does for non-digits. Ids beyond 2^53 cannot exist here.
 */
export function pathInt(value: string): number {
  if (!/^\d{1,19}$/.test(value) || BigInt(value) > MAX_ID) throw new NotFound();
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new NotFound();
  return n;
}

const SESSION_ID = /^(05|15)[0-9a-f]{64}$/i;

/** A `{sid}` path parameter: `05` or `15` + 64 hex (either case, stored lower case); else the route names nothing. */
export function pathSessionId(sid: string): string {
  if (!SESSION_ID.test(sid)) throw new NotFound();
  return sid.toLowerCase();
}

const param = (ctx: ExecutionContext, name: string): string =>
  (ctx.switchToHttp().getRequest<FastifyRequest>().params as Record<string, string>)[name];

/*
 * The path decorators parse while Nest collects the handler's arguments, before any pipe has
 * finished: a path that names nothing (404) is answered before the DTOs are checked (400). A body
 * that is not JSON at all is found at that same stage, by `@JsonBody()`, and answered first.
 */

/** `@PathInt('msg_id')`: see `pathInt`. */
export const PathInt = createParamDecorator((name: string, ctx: ExecutionContext) => pathInt(param(ctx, name)));

/** `@PathSessionId('sid')`: see `pathSessionId`. */
export const PathSessionId = createParamDecorator((name: string, ctx: ExecutionContext) => pathSessionId(param(ctx, name)));

/** The raw request body bytes (every content type arrives as a Buffer); empty when absent. */
export function rawBody(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/**
 * Deeper than any client's body, and shallow enough for the recursive walks of the validation
 * libraries (and JSON.stringify of a batch's `json`), which would overflow the stack on a body of
 * brackets long before the body limit: that would be a 500.
 */
const MAX_JSON_DEPTH = 256;

/** Parses a JSON body whatever its content type (clients often send none); 400 when invalid. */
export function parseJson(body: Buffer): unknown {
  if (!body.length) throw new BadRequest('Invalid request: expected a JSON body');
  const text = body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequest('Invalid request: body is not valid JSON');
  }
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) throw new BadRequest('Invalid request: JSON nested too deeply');
  return value;
}

/** Whether arrays and objects nest deeper than `max` in `text`, a valid JSON text. */
function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // the escaped character cannot end the string
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** A JSON object body; arrays, strings, numbers and null are a 400. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  const value = parseJson(body);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequest('Invalid request: expected a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * `@JsonBody()`: the request body parsed as a JSON object, which the global ValidationPipe then
 * checks against the parameter's DTO class (the signature covers the exact bytes, so Fastify never
 * parses bodies itself). `@JsonBody('items')` takes any JSON value (a list, for /batch) and hands
 * it over as `{ items: value }`, since a DTO describes an object.
 */
export const JsonBody = createParamDecorator((key: string | undefined, ctx: ExecutionContext) => {
  const body = rawBody(ctx.switchToHttp().getRequest<FastifyRequest>());
  return key === undefined ? parseJsonObject(body) : { [key]: parseJson(body) };
});

/** `@RawBody()`: the exact body bytes. */
export const RawBody = createParamDecorator((_: unknown, ctx: ExecutionContext) => rawBody(ctx.switchToHttp().getRequest<FastifyRequest>()));
