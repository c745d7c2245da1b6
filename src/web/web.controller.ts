import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SECURITY_HEADERS, STYLESHEET } from './html';
import { WebService } from './web.service';

const HTML = 'text/html; charset=utf-8';

@Controller()
export class WebController {
  constructor(private readonly web: WebService) {}

  @Get()
  async index(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.html(reply, await this.web.indexPage());
  }

  /** `/r/{token}/` (the router ignores the trailing slash, so `/r/{token}` works too). */
  @Get('r/:token')
  async room(@Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.html(reply, await this.web.roomPage(token));
  }

  @Get('r/:token/invite.png')
  async invite(@Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const png = await this.web.invitePng(token);
    reply.headers({ ...SECURITY_HEADERS, 'content-type': 'image/png', 'cache-control': 'public, max-age=3600' });
    return png;
  }

  /** The room image, for pages that show the room (the invite page). */
  @Get('r/:token/image')
  async image(@Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const { data, type } = await this.web.roomImage(token);
    reply.headers({ ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'public, max-age=300' });
    return data;
  }

  @Get('static/style.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'public, max-age=86400')
  style() {
    return STYLESHEET;
  }

  private html(reply: FastifyReply, body: string): string {
    reply.headers({ ...SECURITY_HEADERS, 'content-type': HTML });
    return body;
  }
}
