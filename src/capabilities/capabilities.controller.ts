import { Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CapabilitiesService } from './capabilities.service';
import { CapabilitiesQueryDto } from './dto/capabilities-query.dto';

@Controller()
export class CapabilitiesController {
  constructor(private readonly service: CapabilitiesService) {}

  /** `{"capabilities": [...]}`; with `required=a,b` and any missing: 412 and `missing`. */
  @Get('capabilities')
  get(@Query() query: CapabilitiesQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const capabilities = this.service.capabilities;
    const missing = query.required === undefined ? [] : this.service.missing(query.required);
    if (!missing.length) return { capabilities };
    reply.status(412);
    return { capabilities, missing };
  }
}
