import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BadRequest, NotFound } from './errors';

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

/** An optional integer query parameter clamped to [min, max]; non-integers are a 400. */
export function clampedQueryInt(value: unknown, def: number, min: number, max: number, name: string): number {
  if (value === undefined) return def;
  if (typeof value !== 'string' || !/^\s*[+-]?\d+\s*$/.test(value)) throw new BadRequest(`Invalid ${name}`);
  const n = Number(value);
  return Math.min(max, Math.max(min, Number.isFinite(n) ? n : n > 0 ? max : min));
}

/** The raw request body bytes (every content type arrives as a Buffer); empty when absent. */
export function rawBody(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** Parses a JSON body whatever its content type (clients often send none); 400 when invalid. */
export function parseJson(body: Buffer): unknown {
  if (!body.length) throw new BadRequest('Invalid request: expected a JSON body');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequest('Invalid request: body is not valid JSON');
  }
}

/** A JSON object body; arrays, strings, numbers and null are a 400. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  const value = parseJson(body);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequest('Invalid request: expected a JSON object');
  }
  return value as Record<string, unknown>;
}

/** `@JsonObjectBody()`: the request body parsed as a JSON object. */
export const JsonObjectBody = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  parseJsonObject(rawBody(ctx.switchToHttp().getRequest<FastifyRequest>())),
);

/** `@JsonBody()`: the request body parsed as any JSON value. */
export const JsonBody = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  parseJson(rawBody(ctx.switchToHttp().getRequest<FastifyRequest>())),
);

/** `@RawBody()`: the exact body bytes. */
export const RawBody = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  rawBody(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
