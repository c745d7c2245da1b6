/** The SQL surface every repository uses: plain parameterised SQL, inside or outside a transaction. */
export interface Sql {
  /** Rows of a statement (SELECT, or anything with RETURNING). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The first row, or undefined. */
  one<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T | undefined>;
  /** Number of rows a statement touched. */
  execute(sql: string, params?: unknown[]): Promise<number>;
}

export interface Transactional extends Sql {
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}
