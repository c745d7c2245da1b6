/** SQLSTATE codes of a transaction that lost a race and may simply run again. */
export const SERIALIZATION_FAILURE = '40001';
export const DEADLOCK_DETECTED = '40P01';
export const FOREIGN_KEY_VIOLATION = '23503';

const ON_CONFLICT: readonly string[] = [SERIALIZATION_FAILURE, DEADLOCK_DETECTED];
/**
 * Only where the schema says so: a reaction added while its last user removes it finds the
 * reactions row gone at commit (see the migration header).
 */
export const RETRY_WITH_FOREIGN_KEY: readonly string[] = [...ON_CONFLICT, FOREIGN_KEY_VIOLATION];

const ATTEMPTS = 5;

/** The SQLSTATE of a failed query (TypeORM copies the driver's fields onto its error). */
export function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.code ?? e?.driverError?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Runs `work` (a whole transaction) again when it fails with one of `codes`, a few times with a
 * short random pause so that the racing transactions do not collide again in step.
 */
export async function retryOnConflict<T>(work: () => Promise<T>, codes: readonly string[] = ON_CONFLICT): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const code = sqlState(err);
      if (attempt >= ATTEMPTS || code === undefined || !codes.includes(code)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
