import { Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IgnoreOuterAuth } from '../auth/auth.guard';
import { RawBody } from '../common/request-input';
import { OnionService } from './onion.service';

/** The last service node POSTs here; outer X-SOGS-* headers are never honoured (§17.4). */
@Controller()
export class OnionController {
  constructor(private readonly onion: OnionService) {}

  @Post('oxen/v4/lsrpc')
  @HttpCode(200)
  @IgnoreOuterAuth()
  async v4(@RawBody() body: Buffer, @Res({ passthrough: true }) reply: FastifyReply) {
    const sealed = await this.onion.v4(body);
    reply.header('content-type', 'application/octet-stream');
    return sealed;
  }

  @Post(['loki/v3/lsrpc', 'oxen/v3/lsrpc'])
  @HttpCode(200)
  @IgnoreOuterAuth()
  async v3(@RawBody() body: Buffer, @Res({ passthrough: true }) reply: FastifyReply) {
    const sealed = await this.onion.v3(body);
    reply.header('content-type', 'text/plain; charset=utf-8');
    return sealed;
  }
}
