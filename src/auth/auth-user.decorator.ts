import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Unauthorized } from '../common/errors';
import { User } from '../users/user';

function requestUser(ctx: ExecutionContext): User | null {
  return ctx.switchToHttp().getRequest<FastifyRequest>().sogsUser ?? null;
}

/** The signing user, or null for an anonymous request. */
export const OptionalUser = createParamDecorator((_: unknown, ctx: ExecutionContext) => requestUser(ctx));

/** The signing user; anonymous requests get 401. */
export const RequiredUser = createParamDecorator((_: unknown, ctx: ExecutionContext): User => {
  const user = requestUser(ctx);
  if (!user) throw new Unauthorized('X-SOGS-* request authentication required');
  return user;
});

/** The signing user, who must have signed with a blinded (15) key; otherwise 401. */
export const BlindedUser = createParamDecorator((_: unknown, ctx: ExecutionContext): User => {
  const user = requestUser(ctx);
  if (!user) throw new Unauthorized('X-SOGS-* request authentication required');
  if (!user.session_id.startsWith('15')) throw new Unauthorized('This endpoint requires blinded pubkeys be used');
  return user;
});
