import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RoomCheck } from '../moderation/permissions.service';
import { ROOM_CHECK, RoomAccessGuard, RoomContext } from './room-access.guard';

/** The route's `:token` must name a room (404) where the caller passes `check` (403). */
export const RoomAccess = (check: RoomCheck) => applyDecorators(SetMetadata(ROOM_CHECK, check), UseGuards(RoomAccessGuard));

/** `@CurrentRoom()`: the room and permissions RoomAccessGuard resolved for this request. */
export const CurrentRoom = createParamDecorator((_: unknown, ctx: ExecutionContext): RoomContext => {
  const resolved = ctx.switchToHttp().getRequest<FastifyRequest>().sogsRoom;
  if (!resolved) throw new Error('@CurrentRoom() needs @RoomAccess() on the route');
  return resolved;
});
