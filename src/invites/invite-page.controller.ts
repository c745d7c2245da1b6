import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rawBody } from '../common/request-input';
import { requestSource } from '../metrics/request-source';
import { refusalPage } from './invite-pages';
import { INVITE_PAGE_HEADERS } from './invite-pages';
import { INVITE_FORM_LIMIT, InvitePagesService, PageResult } from './invite-pages.service';

/**
 * `/invite/{code}`: plain HTML for a browser, no JavaScript. Not a Session API: a subrequest of
 * `/batch` or an onion request gets 404 (it would also share one address's rate limit).
 */
@Controller('invite')
export class InvitePageController {
  constructor(private readonly pages: InvitePagesService) {}

  @Get(':code')
  async view(@Param('code') code: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, fromBrowser(req) ? await this.pages.view(code, req.ip) : notFound());
  }

  @Post(':code')
  @HttpCode(200)
  @RouteConfig({ bodyLimit: INVITE_FORM_LIMIT })
  async submit(@Param('code') code: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = fromBrowser(req) ? await this.pages.submit(code, req.ip, rawBody(req), req.headers['content-type']) : notFound();
    return send(reply, result);
  }
}

const fromBrowser = (req: FastifyRequest) => requestSource(req) === 'client';

const notFound = (): PageResult => ({ status: 404, html: refusalPage('Not found', 'Invitations open in a web browser.') });

function send(reply: FastifyReply, { status, html }: PageResult): string {
  reply.status(status).headers({ ...INVITE_PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8' });
  return html;
}
