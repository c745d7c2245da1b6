import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { signedTarget } from '../auth/request-target';
import { BadRequest } from '../common/errors';

/** Segments before the reaction: '', 'room', token, 'reaction'|'reactions'|'reactors', message id. */
const LEADING_SEGMENTS = 5;
const MAX_CODE_POINTS = 12;

/**
 * The reaction at the end of `/room/{token}/{reaction|reactions|reactors}/{id}/{reaction}`: the
 * whole rest of the path (it may contain `/`). It is cut from the raw URL and decoded exactly like
 * the signed path, once: clients send emoji as raw UTF-8 or %-escaped, and the router's own
 * decoding leaves raw UTF-8 as latin1 text and drops a trailing slash. `undefined` when the path
 * ends at the id, null when the rest is not UTF-8.
 */
export function reactionFromUrl(url: string): string | null | undefined {
  const target = signedTarget(url);
  if (!target) return null;
  const segments = target.path.split('/');
  return segments.length > LEADING_SEGMENTS ? segments.slice(LEADING_SEGMENTS).join('/') : undefined;
}

/** `@ReactionPath()`: see `reactionFromUrl`; validated later, after the permission checks. */
export const ReactionPath = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  reactionFromUrl(ctx.switchToHttp().getRequest<FastifyRequest>().url),
);

/**
 * A reaction is 1 to 12 Unicode code points (not UTF-16 units, not grapheme clusters); 400
 * otherwise. NUL is refused too: PostgreSQL text cannot hold it.
 */
export function validReaction(reaction: string | null | undefined): string {
  const length = typeof reaction === 'string' ? [...reaction].length : 0;
  if (length < 1 || length > MAX_CODE_POINTS || reaction!.includes('\0')) throw new BadRequest('Invalid reaction');
  return reaction!;
}
