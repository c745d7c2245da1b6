import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceUnavailable, Unauthorized } from '../common/errors';
import { AppConfig, CONFIG } from '../config/config';
import { bearerMatches } from './bearer-token';
import { Metrics } from './metrics';

/**
 * `/metrics` on the main port, registered only when SOGS_METRICS_TOKEN is set (otherwise it is an
 * unknown path like any other): 401 without the token. In a cluster the answer covers every worker.
 */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('metrics')
  async scrape(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (!bearerMatches(req.headers.authorization, this.config.metrics.token)) {
      void reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new Unauthorized('Metrics require Authorization: Bearer <SOGS_METRICS_TOKEN>');
    }
    let text: string;
    try {
      text = await this.metrics.scrape();
    } catch {
      throw new ServiceUnavailable('Metrics are unavailable right now; try again shortly');
    }
    void reply.header('content-type', this.metrics.contentType).header('cache-control', 'no-store');
    return text;
  }
}
