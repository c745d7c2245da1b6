import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Unauthorized } from '../common/errors';
import { User } from '../users/user.entity';

/** What a handler needs of the request's user: any signing user, or one signing with a blinded (15) key. */
export type UserRequirement = 'user' | 'blinded';

/** Handler metadata, set by `@RequiredUser()` and `@BlindedUser()`, read by AuthGuard. */
export const USER_REQUIREMENT = 'sogs:user-requirement';

/** The user when they meet `requirement`; 401 otherwise. */
export function requireUser(user: User | null | undefined, requirement: UserRequirement): User {
  if (!user) throw new Unauthorized('X-SOGS-* request authentication required');
  if (requirement === 'blinded' && !user.session_id.startsWith('15')) throw new Unauthorized('This endpoint requires blinded pubkeys be used');
  return user;
}

function requestUser(ctx: ExecutionContext): User | null {
  return ctx.switchToHttp().getRequest<FastifyRequest>().sogsUser ?? null;
}

/**
 * Marks the handler as needing a user, so that AuthGuard answers 401 before any later guard (room
 * 404/403) or pipe (400) runs: parameter decorators alone would only act after them.
 */
const marksHandler =
  (requirement: UserRequirement): ParameterDecorator =>
  (target, key) => {
    if (key !== undefined) Reflect.defineMetadata(USER_REQUIREMENT, requirement, (target as Record<string | symbol, object>)[key]);
  };

/** For a handler that needs a signing user but not the user itself (a guard asks the questions): 401 otherwise. */
export const Authenticated = () => SetMetadata(USER_REQUIREMENT, 'user' satisfies UserRequirement);

/** The signing user, or null for an anonymous request. */
export const OptionalUser = createParamDecorator((_: unknown, ctx: ExecutionContext) => requestUser(ctx));

/** The signing user; anonymous requests get 401. */
export const RequiredUser = createParamDecorator((_: unknown, ctx: ExecutionContext) => requireUser(requestUser(ctx), 'user'), [marksHandler('user')]);

/** The signing user, who must have signed with a blinded (15) key; otherwise 401. */
export const BlindedUser = createParamDecorator((_: unknown, ctx: ExecutionContext) => requireUser(requestUser(ctx), 'blinded'), [
  marksHandler('blinded'),
]);
