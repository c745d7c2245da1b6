import { Controller, Get } from '@nestjs/common';
import { ServiceUnavailable } from '../common/errors';
import { Db } from '../database/db';

@Controller()
export class HealthController {
  constructor(private readonly db: Db) {}

  /** The process is up and serving HTTP. */
  @Get('healthz')
  live() {
    return { status: 'ok' };
  }

  /** The database answers; a load balancer should stop sending traffic otherwise. */
  @Get('readyz')
  async ready() {
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw new ServiceUnavailable('database unreachable');
    }
    return { status: 'ok' };
  }
}
