import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';

/** The SQL a `typeorm migration:generate` would write for the entities against this database. */
export async function pendingEntityChanges(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query);
}

/** Every row of every table in `public`, as sorted JSON texts per table (minus `ignore` columns). */
export async function snapshotRows(
  client: Pick<Client, 'query'>,
  ignore: Record<string, string[]> = {},
): Promise<Record<string, string[]>> {
  const tables = await client.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const out: Record<string, string[]> = {};
  for (const { t } of tables.rows) {
    const drop = (ignore[t] ?? []).map((c) => ` - '${c}'`).join('');
    const rows = await client.query<{ j: string }>(`SELECT (to_jsonb(x)${drop})::text AS j FROM public."${t}" x`);
    out[t] = rows.rows.map((r) => r.j).sort();
  }
  return out;
}

/** A fixture database made by an earlier version of the server (see the file's header). */
export function legacyDump(name = 'legacy-2fc36dc.sql'): string {
  return fs.readFileSync(path.join(__dirname, '..', 'fixtures', name), 'utf8');
}
