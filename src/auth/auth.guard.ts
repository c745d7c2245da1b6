import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { User } from '../users/user';
import { AuthService } from './auth.service';
import { INTERNAL_REQUEST_HEADER, InternalRequests } from './internal-requests';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user, or null for an anonymous request (set by AuthGuard). */
    sogsUser?: User | null;
  }
}

/** Runs for every request: attaches the signing user (or null), or rejects the request. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly internal: InternalRequests,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const inherited = this.internal.userFor(req.headers[INTERNAL_REQUEST_HEADER]);
    req.sogsUser =
      inherited !== undefined
        ? inherited
        : await this.auth.authenticate({
            method: req.method,
            url: req.url,
            headers: req.headers,
            body: Buffer.isBuffer(req.body) ? req.body : undefined,
          });
    return true;
  }
}
