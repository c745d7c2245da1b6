import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { Db } from '../database/db';
import { ServerKey } from '../keys/server-key';

/** What exists before Nest starts: opened by main.ts, the CLI, or a test. */
export interface Runtime {
  config: AppConfig;
  db: Db;
  serverKey: ServerKey;
  log: Logger;
  clock: Clock;
}
