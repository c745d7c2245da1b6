import { Controller, Get } from '@nestjs/common';
import { ServiceUnavailable } from '../common/errors';
import { Db } from '../database/db';

/** A load balancer's probe gives up after a few seconds; /readyz answers before that. */
const READY_CHECK_MS = 2000;

@Controller()
export class HealthController {
  constructor(private readonly db: Db) {}

  /** The process is up and serving HTTP. */
  @Get('healthz')
  live() {
    return { status: 'ok' };
  }

  /** The database answers, within 2 s; a load balancer should stop sending traffic otherwise. */
  @Get('readyz')
  async ready() {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer in time')), READY_CHECK_MS);
    });
    try {
      await Promise.race([this.db.query('SELECT 1'), late]);
    } catch {
      throw new ServiceUnavailable('database unreachable');
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ok' };
  }
}
