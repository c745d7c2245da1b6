import { ConfigError } from '../config/config';
import { DatabaseUnavailableError } from '../database/open-database';
import { KeyFileError } from '../keys/server-key';
import { DataDirError } from './open-runtime';

/** Errors an operator can fix; printed as one readable message without a stack trace. */
const EXPECTED = [ConfigError, DatabaseUnavailableError, KeyFileError, DataDirError];

export function describeFatal(err: unknown): string {
  if (EXPECTED.some((type) => err instanceof type)) return (err as Error).message;
  if (err instanceof Error) return `${err.message}\n${err.stack ?? ''}`;
  return String(err);
}
