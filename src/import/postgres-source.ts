import { Client, types } from 'pg';
import { describeUrl } from '../database/reach-database';
import { ImportRefused, PageKey, quote, ReferenceSource, Row, Value } from './reference-source';

/** int8 (ids, seqnos) as numbers: every reference id and counter is far below 2^53. */
const parsers = {
  getTypeParser: (oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : types.getTypeParser(oid, format as 'text')),
};

/**
 * A reference database on PostgreSQL (`[db] url` in its sogs.ini), read in one REPEATABLE READ
 * READ ONLY transaction: one consistent snapshot even if something still writes to it.
 */
export class PostgresSource implements ReferenceSource {
  private constructor(
    private readonly client: Client,
    readonly description: string,
  ) {}

  static async open(url: string): Promise<PostgresSource> {
    const client = new Client({ connectionString: url, types: parsers });
    try {
      await client.connect();
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    } catch (err) {
      await client.end().catch(() => undefined);
      throw new ImportRefused(`cannot read the reference database ${describeUrl(url)}: ${(err as Error).message}`);
    }
    return new PostgresSource(client, `PostgreSQL ${describeUrl(url)}`);
  }

  async tables(): Promise<Map<string, string[]>> {
    const { rows } = await this.client.query<{ table: string; columns: string[] }>(
      `SELECT c.relname AS "table", array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
       GROUP BY c.relname`,
    );
    return new Map(rows.map((r) => [r.table, r.columns]));
  }

  async count(table: string): Promise<number> {
    const { rows } = await this.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(table)}`);
    return rows[0].n;
  }

  async page(table: string, columns: readonly string[], key: PageKey, after: Value[] | null, limit: number): Promise<Row[]> {
    const keys = keyColumns(key);
    const where = after ? `WHERE (${keys.join(', ')}) > (${keys.map((_, i) => cast(key, i + 1)).join(', ')})` : '';
    return this.rows(
      `SELECT ${[...columns.map(quote), ...keys].join(', ')} FROM ${quote(table)} ${where} ORDER BY ${keys.join(', ')} LIMIT ${Number(limit)}`,
      after ?? [],
    );
  }

  async keyAt(table: string, key: PageKey, offset: number): Promise<Value[] | undefined> {
    const keys = keyColumns(key);
    return (await this.rows(`SELECT ${keys.join(', ')} FROM ${quote(table)} ORDER BY ${keys.join(', ')} LIMIT 1 OFFSET ${Number(offset)}`, []))[0];
  }

  async rowByKey(table: string, columns: readonly string[], key: PageKey, values: Value[]): Promise<Row | undefined> {
    const keys = keyColumns(key);
    return (
      await this.rows(
        `SELECT ${[...columns.map(quote), ...keys].join(', ')} FROM ${quote(table)} WHERE (${keys.join(', ')}) = (${keys.map((_, i) => cast(key, i + 1)).join(', ')})`,
        values,
      )
    )[0];
  }

  async close(): Promise<void> {
    await this.client.query('ROLLBACK').catch(() => undefined);
    await this.client.end();
  }

  private async rows(sql: string, params: Value[]): Promise<Row[]> {
    const { rows } = await this.client.query<Value[]>({ text: sql, values: params, rowMode: 'array' });
    return rows;
  }
}

function keyColumns(key: PageKey): string[] {
  return key === 'physical' ? ['ctid'] : key.columns.map(quote);
}

function cast(key: PageKey, n: number): string {
  return key === 'physical' ? `$${n}::tid` : `$${n}`;
}
