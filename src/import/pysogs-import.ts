import { OperatorError } from '../common/operator-error';
import type { Db } from '../database/db';
import type { Sql } from '../database/sql';
import { FileStorage } from '../files/file-storage';
import { convertRow, IMPORT_PLAN, PlanContext, SourceRow, TableStep } from './import-plan';
import { ImportRecord, newStep, saveImportRecord } from './import-progress';
import { copyIntoStorage, locateReferenceFile } from './reference-files';
import { quote, ReferenceSource, Row, Value } from './reference-source';

/** A batch could not be written: the import stopped after the last committed one. */
export class ImportFailed extends OperatorError {}

export interface ImportOptions {
  /** Rows per transaction. */
  batchRows: number;
  /** The reference's uploads directory. */
  uploadsDir: string;
  /** Progress lines. */
  say(line: string): void;
  /** Seconds since the epoch (a clock the tests can hold). */
  now(): number;
}

/** Rows of a table as json_populate_recordset reads them: bytes in bytea's text form. */
export function jsonRows(rows: SourceRow[], columns: readonly string[]): string {
  return JSON.stringify(
    rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const c of columns) {
        const v = row[c];
        out[c] = Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : v;
      }
      return out;
    }),
  );
}

/**
 * The rows of `$1` (jsonRows) as the import writes them: rows naming a missing row are left out
 * (or the reference cleared), so the count an INSERT of it returns tells how many were skipped.
 */
export function writtenRowsQuery(s: TableStep): string {
  const exists = (c: string, table: string) => `EXISTS (SELECT 1 FROM ${quote(table)} x WHERE x.id = r.${quote(c)})`;
  const select = s.columns.map((c) => {
    const ref = s.refs.find((r) => r.column === c && r.missing === 'null');
    return ref ? `CASE WHEN ${exists(c, ref.table)} THEN r.${quote(c)} END` : `r.${quote(c)}`;
  });
  const where = s.refs.filter((r) => r.missing === 'skip').map((r) => `(r.${quote(r.column)} IS NULL OR ${exists(r.column, r.table)})`);
  return (
    `SELECT ${select.join(', ')} FROM json_populate_recordset(NULL::${quote(s.table)}, $1::json) r` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '')
  );
}

export function insertStatement(s: TableStep): string {
  return `INSERT INTO ${quote(s.table)} (${s.columns.map(quote).join(', ')}) ${writtenRowsQuery(s)}`;
}

/** A row read from the reference, as an object of its columns. */
export function sourceRow(s: TableStep, row: Row): SourceRow {
  const out: SourceRow = {};
  s.columns.forEach((c, i) => (out[c] = row[i]));
  return out;
}

/**
 * Copies a reference database into this server's, table by table in key order, one transaction
 * per batch. Triggers stay off while a batch is written: the rows arrive with their counters,
 * seqnos and times as the reference had them, and nothing may renumber or stamp them. Each batch
 * commits together with the import's record of how far it got, so an interrupted import continues
 * where it stopped and writes no row twice.
 */
export class PysogsImport {
  constructor(
    private readonly source: ReferenceSource,
    private readonly db: Db,
    private readonly storage: FileStorage,
    private readonly record: ImportRecord,
    private readonly ctx: PlanContext,
    private readonly opts: ImportOptions,
  ) {}

  async run(): Promise<void> {
    for (const s of IMPORT_PLAN) {
      await this.table(s);
      if (s.table === 'files') await this.roomImages();
    }
    await this.db.transaction(async (tx) => {
      for (const s of IMPORT_PLAN) if (s.identity) await continueSequence(tx, s.table, s.identity);
      this.record.completed = this.opts.now();
      await saveImportRecord(tx, this.record);
    });
  }

  private async table(s: TableStep): Promise<void> {
    const progress = (this.record.steps[s.table] ??= newStep());
    const total = this.record.counts[s.table];
    if (progress.done) {
      this.opts.say(`${s.table}: done before (${progress.inserted} rows)`);
      return;
    }
    const insert = insertStatement(s);
    const batch = Math.min(s.batchRows ?? this.opts.batchRows, this.opts.batchRows);
    const started = Date.now();
    const readBefore = progress.read;
    let lastSaid = started;
    const say = (final: boolean) => {
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? Math.round((progress.read - readBefore) / seconds) : 0;
      const extra = [progress.skipped ? `${progress.skipped} skipped` : '', progress.merged ? `${progress.merged} merged` : ''].filter(Boolean).join(', ');
      this.opts.say(`${s.table}: ${progress.read}/${total} rows${final ? ' done' : ''}${extra ? ` (${extra})` : ''}, ${rate} rows/s`);
    };
    for (;;) {
      const page = await this.source.page(s.table, s.columns, s.key, progress.after, batch);
      if (!page.length) break;
      const rows: SourceRow[] = [];
      let merged = 0;
      for (const r of page) {
        const row = sourceRow(s, r);
        if (convertRow(s, row, this.ctx)) rows.push(row);
        else merged++;
      }
      const committed = { ...progress };
      await this.db
        .transaction(async (tx) => {
          const kept: string[] = [];
          try {
            // Deferred foreign-key checks run at each statement's end: triggers cannot be switched back on with checks pending.
            await tx.execute(`SET CONSTRAINTS ALL IMMEDIATE`);
            await tx.execute(`ALTER TABLE ${quote(s.table)} DISABLE TRIGGER USER`);
            if (s.table === 'files') await this.copyFiles(rows, tx, kept);
            const written = rows.filter((r) => s.table !== 'files' || r.path !== null);
            const inserted = written.length ? await tx.execute(insert, [jsonRows(written, s.columns)]) : 0;
            await tx.execute(`ALTER TABLE ${quote(s.table)} ENABLE TRIGGER USER`);
            Object.assign(progress, {
              after: page[page.length - 1].slice(s.columns.length),
              read: progress.read + page.length,
              inserted: progress.inserted + inserted,
              skipped: progress.skipped + rows.length - inserted,
              merged: progress.merged + merged,
            });
            await saveImportRecord(tx, this.record);
          } catch (err) {
            // Nothing of the batch stays: the record goes back to the last batch committed.
            Object.assign(progress, committed);
            for (const key of kept) await this.storage.remove(key).catch(() => undefined);
            throw err;
          }
        })
        .catch((err: Error) => {
          throw new ImportFailed(
            `${s.table}: the batch after row ${progress.read} failed (${err.message}); the ${progress.read} rows before it are in. ` +
              'Fix the cause and run the same command again: it continues there',
          );
        });
      if (Date.now() - lastSaid >= 2000) {
        say(false);
        lastSaid = Date.now();
      }
      if (page.length < batch) break;
    }
    progress.done = true;
    await this.db.transaction((tx) => saveImportRecord(tx, this.record));
    say(true);
  }

  /**
   * Copies the batch's uploads into this server's storage and points their rows at it; a row
   * whose file is not on disk any more gets path null and is left out (skipped).
   */
  private async copyFiles(rows: SourceRow[], tx: Sql, kept: string[]): Promise<void> {
    for (const row of rows) {
      const file = locateReferenceFile(this.opts.uploadsDir, String(row.path));
      if (!file) {
        this.opts.say(`files: ${row.id} (${String(row.path)}) is not in ${this.opts.uploadsDir}; left out`);
        row.path = null;
        continue;
      }
      const { key, size } = await copyIntoStorage(this.storage, file, tx);
      kept.push(key);
      row.path = key;
      row.size = size;
    }
  }

  /** Rooms name their image file, which exists only now. */
  private async roomImages(): Promise<void> {
    const images = (await this.source.page('rooms', ['id', 'image'], { columns: ['id'] }, null, 1_000_000)).filter((r) => r[1] !== null);
    await this.db.transaction(async (tx) => {
      await tx.execute(`ALTER TABLE rooms DISABLE TRIGGER USER`);
      for (const [room, image] of images) {
        await tx.execute(`UPDATE rooms SET image = f.id FROM files f WHERE rooms.id = $1 AND f.id = $2`, [room as Value, image as Value]);
      }
      await tx.execute(`ALTER TABLE rooms ENABLE TRIGGER USER`);
    });
  }
}

/** The next id after the highest imported one (1 in an empty table). */
async function continueSequence(tx: Sql, table: string, column: string): Promise<void> {
  await tx.query(
    `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE(max(${quote(column)}), 0), 1), COALESCE(max(${quote(column)}), 0) >= 1) FROM ${quote(table)}`,
    [table, column],
  );
}
