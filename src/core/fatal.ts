import { OperatorError } from '../common/operator-error';

/** An operator's error as its message alone; anything else with its stack. */
export function describeFatal(err: unknown): string {
  if (err instanceof OperatorError) return err.message;
  if (err instanceof Error) return `${err.message}\n${err.stack ?? ''}`;
  return String(err);
}
