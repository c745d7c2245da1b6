import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Forbidden, NotFound, Unauthorized } from '../../common/errors';
import { BotIdentity, BotsService } from '../bots.service';
import { isBotApiRequest } from './bot-api-listener';

declare module 'fastify' {
  interface FastifyRequest {
    /** The bot a bot API request's bearer token belongs to (set by BotApiGuard). */
    sogsBot?: BotIdentity;
  }
}

/**
 * The bot API's door: only requests that came through its own listener (404 anywhere else: the
 * public port, batches, onion requests), then a bearer token (401), which must be the token of the
 * bot the path names (403).
 */
@Injectable()
export class BotApiGuard implements CanActivate {
  constructor(private readonly bots: BotsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (!isBotApiRequest(req.raw)) throw new NotFound();
    const header = req.headers.authorization;
    const token = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header)?.[1] : undefined;
    const bot = token === undefined ? undefined : await this.bots.authenticate(token);
    if (!bot) throw new Unauthorized('bot API requests need Authorization: Bearer <token> (sogs bots token NAME)');
    if (bot.bot.name !== (req.params as { name: string }).name) throw new Forbidden("this token belongs to another bot");
    req.sogsBot = bot;
    return true;
  }
}

/** `@CurrentBot()`: the bot BotApiGuard authenticated. */
export const CurrentBot = createParamDecorator((_: unknown, ctx: ExecutionContext): BotIdentity => {
  const bot = ctx.switchToHttp().getRequest<FastifyRequest>().sogsBot;
  if (!bot) throw new Error('@CurrentBot() needs BotApiGuard on the route');
  return bot;
});
