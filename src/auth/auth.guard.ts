import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { IncomingFile } from '../files/file-storage';
import { User } from '../users/user.entity';
import { requireUser, USER_REQUIREMENT, UserRequirement } from './auth-user.decorator';
import { AuthService } from './auth.service';
import { INTERNAL_REQUEST_HEADER, InternalRequests } from './internal-requests';
import { RequestScope } from './request-scope';

export interface StreamedBody {
  /** The bytes, written to the file storage as they arrived; kept only if the upload is accepted. */
  file: IncomingFile;
  size: number;
  /** BLAKE2b-512 of the bytes; absent for an empty body (which is not signed). */
  hash?: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user, or null for an anonymous request (set by AuthGuard). */
    sogsUser?: User | null;
    /** For a batch's subrequest: the lookups it shares with the rest of the batch. */
    sogsScope?: RequestScope;
    /** A body written to the file storage as it arrived instead of being buffered (uploads). */
    streamedBody?: StreamedBody;
  }
}

const NO_OUTER_AUTH = 'sogs:no-outer-auth';

/**
 * For endpoints whose caller is not the user (onion requests arrive from a service node): any
 * X-SOGS-* headers on the outer request are ignored, and authentication happens on the inner
 * request instead.
 */
export const IgnoreOuterAuth = () => SetMetadata(NO_OUTER_AUTH, true);

/**
 * Runs for every request, before any other guard: attaches the signing user (or null), or rejects
 * the request; a handler that takes `@RequiredUser()` or `@BlindedUser()` gets its 401 here.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly internal: InternalRequests,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (this.reflector.get<boolean>(NO_OUTER_AUTH, context.getHandler())) {
      req.sogsUser = null;
      return true;
    }
    const marker = req.headers[INTERNAL_REQUEST_HEADER];
    const inherited = this.internal.userFor(marker);
    if (inherited !== undefined) req.sogsScope = this.internal.scopeFor(marker);
    req.sogsUser =
      inherited !== undefined
        ? inherited
        : await this.auth.authenticate({
            method: req.method,
            url: req.url,
            headers: req.headers,
            body: Buffer.isBuffer(req.body) ? req.body : undefined,
            bodyHash: req.streamedBody?.hash,
          });
    const requirement = this.reflector.get<UserRequirement | undefined>(USER_REQUIREMENT, context.getHandler());
    if (requirement) {
      try {
        requireUser(req.sogsUser, requirement);
      } catch (err) {
        throw this.auth.failed('required', err as Error);
      }
    }
    return true;
  }
}
