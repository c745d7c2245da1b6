import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { EffectivePermissions, PermissionsService, RoomCheck } from '../moderation/permissions.service';
import { Room } from './room.entity';
import { RoomsService } from './rooms.service';

/** The room a request's `:token` names, and what the caller may do in it. */
export interface RoomContext {
  room: Room;
  permissions: EffectivePermissions;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by RoomAccessGuard for handlers marked `@RoomAccess(...)`. */
    sogsRoom?: RoomContext;
  }
}

/** Handler metadata set by `@RoomAccess(check)`. */
export const ROOM_CHECK = 'sogs:room-check';

/**
 * Resolves `:token` to the room (404) and asks PermissionsService whether the caller passes the
 * handler's check (403), after AuthGuard (401) and before the pipes judge the query and body
 * (400): the reference's order of checks. The handler reads the result with `@CurrentRoom()`.
 */
@Injectable()
export class RoomAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly rooms: RoomsService,
    private readonly permissions: PermissionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const check = this.reflector.get<RoomCheck>(ROOM_CHECK, context.getHandler());
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const user = req.sogsUser ?? null;
    const { room, override } = await this.rooms.access((req.params as { token: string }).token, user, req.sogsScope);
    req.sogsRoom = { room, permissions: this.permissions.check(this.permissions.withOverride(room, user, override), check) };
    return true;
  }
}
