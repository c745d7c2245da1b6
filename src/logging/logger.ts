import { LoggerService } from '@nestjs/common';
import pino, { Logger, LevelWithSilent } from 'pino';

export const LOGGER = Symbol('LOGGER');

/** Structured JSON logs on stdout. Callers never pass Session IDs, IPs or message contents. */
export function createLogger(level: LevelWithSilent, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'sogs' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Lets Nest's own messages (module init, errors) go through the same pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly pinoLog: Logger) {}
  log(message: unknown, context?: string): void {
    this.pinoLog.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.pinoLog.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.pinoLog.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.pinoLog.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.pinoLog.trace({ context }, String(message));
  }
}
