import * as path from 'node:path';
import { ServerKey } from '../keys/server-key';
import { PlanContext } from './import-plan';
import { PostgresSource } from './postgres-source';
import { checkReferenceSchema, REFERENCE_TABLES } from './reference-schema';
import { ImportRefused, isPostgresUrl, ReferenceSource, Value } from './reference-source';
import { SqliteSource } from './sqlite-source';

export interface OpenedReference {
  source: ReferenceSource;
  /** Rows per table, when the import began. */
  counts: Record<string, number>;
  ctx: PlanContext;
}

/**
 * Opens the reference database `from` (a file: SQLite; a postgresql:// URL) and checks it before
 * anything is written here: its schema, and that `key` is the key of the server that wrote it.
 */
export async function openReference(from: string, key: ServerKey): Promise<OpenedReference> {
  const source: ReferenceSource = isPostgresUrl(from) ? await PostgresSource.open(from) : await SqliteSource.open(path.resolve(from));
  try {
    checkReferenceSchema(await source.tables(), source.description);
    const counts: Record<string, number> = {};
    for (const table of Object.keys(REFERENCE_TABLES)) counts[table] = await source.count(table);
    return { source, counts, ctx: { systemUserId: await referenceSystemUser(source, key) } };
  } catch (err) {
    await source.close();
    throw err;
  }
}

/**
 * The reference's `ff…` system user (the actor of its admin commands) if it has one: it must be
 * the key's, or the key is not this reference's (its join URLs and every blinded id would change).
 */
async function referenceSystemUser(source: ReferenceSource, key: ServerKey): Promise<number | null> {
  let found: number | null = null;
  let after: Value[] | null = null;
  for (;;) {
    const page = await source.page('users', ['id', 'session_id'], { columns: ['id'] }, after, 10_000);
    for (const [id, sid] of page) {
      if (typeof sid !== 'string' || !/^ff[0-9a-f]{64}$/i.test(sid)) continue;
      if (sid.toLowerCase() !== key.systemSessionId) {
        throw new ImportRefused(
          `the key is not this reference's: its system user is ${sid}, the key's public key is ${key.publicKeyHex}; give the key_x25519 of the server that wrote this database`,
        );
      }
      found = Number(id);
    }
    if (page.length < 10_000) return found;
    after = page[page.length - 1].slice(2);
  }
}
