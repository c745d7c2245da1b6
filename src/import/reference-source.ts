import { OperatorError } from '../common/operator-error';

/** The reference database cannot be used (not one, an unknown schema, unreadable): nothing was written. */
export class ImportRefused extends OperatorError {}

/** A value as both sources return it: numbers, text, booleans, bytes or null. */
export type Value = number | string | boolean | Buffer | null;
export type Row = Value[];

/**
 * A reference (session-pysogs) database, read only. Tables are read in key order in pages, so a
 * table of any size streams through a bounded amount of memory and a re-run can continue after
 * the last key it stored. Tables without a unique key page by the row's physical address (SQLite's
 * `rowid`, PostgreSQL's `ctid`), which is stable while the reference is stopped.
 */
export interface ReferenceSource {
  /** For messages: "SQLite /srv/sogs/sogs.db" or "PostgreSQL host/db". */
  readonly description: string;
  /** Every table (views excluded) with its columns. */
  tables(): Promise<Map<string, string[]>>;
  count(table: string): Promise<number>;
  /**
   * Up to `limit` rows after the key `after` (null: from the start), in key order. Each row holds
   * `columns` followed by the key's values, which the next call passes back as `after`.
   */
  page(table: string, columns: readonly string[], key: PageKey, after: Value[] | null, limit: number): Promise<Row[]>;
  /** The key values of the row at `offset` in key order (sampling for the verification). */
  keyAt(table: string, key: PageKey, offset: number): Promise<Value[] | undefined>;
  /** One row by its key (the verification re-reads its samples). */
  rowByKey(table: string, columns: readonly string[], key: PageKey, values: Value[]): Promise<Row | undefined>;
  close(): Promise<void>;
}

/** A unique key of columns, or the row's physical address. */
export type PageKey = { columns: readonly string[] } | 'physical';

/** `"user"` and the like: every identifier quoted. */
export function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function isPostgresUrl(from: string): boolean {
  return /^postgres(ql)?:\/\//i.test(from);
}
