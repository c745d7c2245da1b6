import type { QueryRunner } from 'typeorm';

/**
 * Runs `work` in a transaction on `runner`: committed when it resolves, rolled back when it throws
 * (a failing rollback does not hide the error). The caller owns the runner and releases it.
 */
export async function inTransaction<T>(runner: QueryRunner, work: () => Promise<T>): Promise<T> {
  await runner.startTransaction();
  try {
    const result = await work();
    await runner.commitTransaction();
    return result;
  } catch (err) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw err;
  }
}
