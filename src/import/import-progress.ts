import type { Sql } from '../database/sql';
import { Value } from './reference-source';

/** Where one table stands: the last key committed, and what became of the rows so far. */
export interface StepProgress {
  after: Value[] | null;
  /** Rows read from the reference. */
  read: number;
  /** Rows written here. */
  inserted: number;
  /** Rows left out because a row they name is missing from the reference (or their file is). */
  skipped: number;
  /** Rows merged into an existing one (the reference's system user). */
  merged: number;
  done: boolean;
}

/**
 * The import's own record in `server_settings`, written in the same transaction as each batch: a
 * re-run after a failure continues after the last committed batch, and one from another source
 * (or of a reference that changed meanwhile) is recognised as such.
 */
export interface ImportRecord {
  source: string;
  /** Row counts of the reference when the import began: a changed reference is not resumed. */
  counts: Record<string, number>;
  started: number;
  steps: Record<string, StepProgress>;
  completed?: number;
}

const NAME = 'pysogs_import';

export function newStep(): StepProgress {
  return { after: null, read: 0, inserted: 0, skipped: 0, merged: 0, done: false };
}

export async function readImportRecord(sql: Sql): Promise<ImportRecord | undefined> {
  const row = await sql.one<{ value: string }>(`SELECT value FROM server_settings WHERE name = $1`, [NAME]);
  return row ? (JSON.parse(row.value) as ImportRecord) : undefined;
}

export async function saveImportRecord(sql: Sql, record: ImportRecord): Promise<void> {
  await sql.execute(
    `INSERT INTO server_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
    [NAME, JSON.stringify(record)],
  );
}

export async function deleteImportRecord(sql: Sql): Promise<void> {
  await sql.execute(`DELETE FROM server_settings WHERE name = $1`, [NAME]);
}
