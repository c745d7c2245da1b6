import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { Db } from '../database/db';
import { FileStorage } from '../files/file-storage';
import { convertRow, IMPORT_PLAN, PlanContext, SourceRow, TableStep } from './import-plan';
import { ImportRecord, newStep } from './import-progress';
import { jsonRows, sourceRow, writtenRowsQuery } from './pysogs-import';
import { locateReferenceFile } from './reference-files';
import { quote, ReferenceSource } from './reference-source';

/** Rows sampled per table, spread evenly over its key order. */
const SAMPLES = 12;

export interface TableCheck {
  table: string;
  reference: number;
  imported: number;
  skipped: number;
  merged: number;
  /** Rows in this server's table. */
  here: number;
  sampled: number;
  /** Sampled rows that differ here (or whose file's bytes differ). */
  differing: number;
  ok: boolean;
}

/**
 * Compares source and target after the import: every count (the reference's rows = imported +
 * skipped + merged, and this server holds exactly the imported ones) and, for a sample of rows per
 * table, every column as the import converts it (for uploads, also the stored bytes).
 */
export async function verifyImport(
  source: ReferenceSource,
  db: Db,
  storage: FileStorage,
  record: ImportRecord,
  ctx: PlanContext,
  uploadsDir: string,
): Promise<TableCheck[]> {
  const out: TableCheck[] = [];
  for (const s of IMPORT_PLAN) {
    const p = record.steps[s.table] ?? newStep();
    const reference = await source.count(s.table);
    // The system user (id 0) is this server's own, whether or not the reference had one to merge.
    const [{ n: here }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(s.table)}${s.table === 'users' ? ' WHERE id <> 0' : ''}`);
    let sampled = 0;
    let differing = 0;
    for (let i = 0; i < Math.min(SAMPLES, reference); i++) {
      const key = await source.keyAt(s.table, s.key, Math.floor((i * reference) / Math.min(SAMPLES, reference)));
      const raw = key && (await source.rowByKey(s.table, s.columns, s.key, key));
      if (!raw) continue;
      const row = sourceRow(s, raw);
      if (!convertRow(s, row, ctx)) continue; // merged
      sampled++;
      if (!(await sampleMatches(db, storage, s, row, uploadsDir))) differing++;
    }
    const counted = p.inserted + p.skipped + p.merged === reference && here === p.inserted;
    out.push({ table: s.table, reference, imported: p.inserted, skipped: p.skipped, merged: p.merged, here, sampled, differing, ok: counted && differing === 0 });
  }
  return out;
}

async function sampleMatches(db: Db, storage: FileStorage, s: TableStep, row: SourceRow, uploadsDir: string): Promise<boolean> {
  let columns = s.columns.filter((c) => !(s.table === 'rooms' && c === 'image'));
  let expectedBytes: string | undefined;
  if (s.table === 'files') {
    const file = locateReferenceFile(uploadsDir, String(row.path));
    if (!file) return !(await exists(db, 'files', row.id)); // left out: must not be here
    const bytes = fs.readFileSync(file);
    expectedBytes = sha256(bytes);
    row.size = bytes.length;
    columns = columns.filter((c) => c !== 'path');
  }
  // The row as the import writes it (none: one the import leaves out as well).
  const json = jsonRows([row], s.columns);
  const select = writtenRowsQuery(s);
  const same = columns.map((c) => `t.${quote(c)} IS NOT DISTINCT FROM w.${quote(c)}`).join(' AND ');
  const [r] = await db.query<{ written: number; found: number; path: string | null }>(
    `WITH w (${s.columns.map(quote).join(', ')}) AS (${select})
     SELECT (SELECT count(*) FROM w)::int AS written,
            (SELECT count(*) FROM ${quote(s.table)} t, w WHERE ${same})::int AS found,
            ${s.table === 'files' ? `(SELECT t.path FROM files t, w WHERE ${same} LIMIT 1)` : 'NULL'} AS path`,
    [json],
  );
  if (r.written === 0) return true;
  if (r.found !== 1) return false;
  if (expectedBytes === undefined) return true;
  const stored = r.path && (await storage.read(r.path));
  if (!stored) return false;
  const hash = createHash('sha256');
  for await (const chunk of stored.stream) hash.update(chunk as Buffer);
  return hash.digest('hex') === expectedBytes;
}

async function exists(db: Db, table: string, id: unknown): Promise<boolean> {
  return (await db.query(`SELECT 1 FROM ${quote(table)} WHERE id = $1`, [id])).length > 0;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** The verification as a table, one line per reference table. */
export function formatChecks(checks: TableCheck[]): string[] {
  const head = ['table', 'reference', 'imported', 'skipped', 'merged', 'here', 'sampled', 'result'];
  const rows = checks.map((c) => [
    c.table,
    String(c.reference),
    String(c.imported),
    String(c.skipped),
    String(c.merged),
    String(c.here),
    String(c.sampled),
    c.ok ? 'ok' : c.differing ? `${c.differing} sampled rows differ` : 'counts differ',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => (i === 0 || i === r.length - 1 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
