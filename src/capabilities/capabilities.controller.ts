import { Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BadRequest } from '../common/errors';
import { CapabilitiesService } from './capabilities.service';

@Controller()
export class CapabilitiesController {
  constructor(private readonly service: CapabilitiesService) {}

  /** `{"capabilities": [...]}`; with `required=a,b` and any missing: 412 and `missing`. */
  @Get('capabilities')
  get(@Query('required') required: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const capabilities = this.service.capabilities;
    if (required === undefined) return { capabilities };
    if (typeof required !== 'string') throw new BadRequest('required must be given once');
    const missing = this.service.missing(required);
    if (!missing.length) return { capabilities };
    reply.status(412);
    return { capabilities, missing };
  }
}
