import { OperatorError } from '../common/operator-error';

/**
 * What a backup archive holds: a gzip'd tar of
 *
 *   key_x25519                      the server's private key (32 raw bytes)
 *   tables/<table>/<nnnnnn>.ndjson  every row of every table, one JSON object per line, in parts
 *   uploads/<key>                   the bytes of every uploaded file the files table lists
 *   manifest.json                   last, once the counts are known (see Manifest)
 */
export const ARCHIVE_FORMAT = 'sogs-backup';
export const ARCHIVE_VERSION = 1;

export const KEY_ENTRY = 'key_x25519';
export const MANIFEST_ENTRY = 'manifest.json';
export const TABLE_PREFIX = 'tables/';
export const UPLOAD_PREFIX = 'uploads/';

export function tablePartEntry(table: string, part: number): string {
  return `${TABLE_PREFIX}${table}/${String(part).padStart(6, '0')}.ndjson`;
}

/** `tables/<table>/<n>.ndjson` → the table name, or undefined for another kind of entry. */
export function tableOfEntry(name: string): string | undefined {
  const m = /^tables\/([^/]+)\/\d{6}\.ndjson$/.exec(name);
  return m?.[1];
}

export interface TableManifest {
  /** The columns each row holds (generated columns are left out: the database computes them). */
  columns: string[];
  rows: number;
  parts: number;
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  /** ISO time the snapshot was taken. */
  created: string;
  /** `PostgreSQL 15.8`, `PGlite (PostgreSQL 17.4)`: where the backup came from. */
  database: string;
  /** The last migration applied: the restore builds exactly this schema before loading rows. */
  schemaVersion: string;
  migrations: string[];
  serverPublicKey: string;
  tables: Record<string, TableManifest>;
  /** Sequence name → its state (`last_value` as text, `is_called`), for `setval`. */
  sequences: Record<string, { value: string; called: boolean }>;
  /**
   * `storage`: where the server kept upload bytes (SOGS_FILE_STORAGE): `local` ones are the
   * `uploads/` entries; `database` ones are rows of the file_chunks table. Absent = local.
   */
  uploads: { files: number; bytes: number; missing: number; storage?: 'local' | 'database' };
}

/** A backup or restore that failed; nothing was left behind (the message says why). */
export class BackupError extends OperatorError {}

/** An archive that cannot be read back: damaged, truncated, or not a backup of this server. */
export class BackupArchiveError extends OperatorError {}

/** The manifest as read from an archive, checked for what the restore relies on. */
export function parseManifest(text: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch {
    throw new BackupArchiveError('the archive manifest is not valid JSON');
  }
  if (m?.format !== ARCHIVE_FORMAT) throw new BackupArchiveError('this file is not a sogs backup archive');
  if (m.version !== ARCHIVE_VERSION) {
    throw new BackupArchiveError(`the archive has format version ${String(m.version)}; this server reads version ${ARCHIVE_VERSION}`);
  }
  const ok =
    typeof m.schemaVersion === 'string' &&
    Array.isArray(m.migrations) &&
    /^[0-9a-f]{64}$/.test(m.serverPublicKey) &&
    isRecord(m.tables) &&
    Object.entries(m.tables).every(
      ([name, t]) =>
        /^[a-z_][a-z0-9_]*$/.test(name) &&
        Array.isArray(t?.columns) &&
        t.columns.every((c) => typeof c === 'string' && c.length > 0) &&
        Number.isSafeInteger(t.rows) &&
        Number.isSafeInteger(t.parts),
    ) &&
    isRecord(m.sequences) &&
    Object.entries(m.sequences).every(([name, s]) => /^[a-z_][a-z0-9_]*$/.test(name) && /^-?\d+$/.test(s?.value) && typeof s.called === 'boolean') &&
    Number.isSafeInteger(m.uploads?.files);
  if (!ok) throw new BackupArchiveError('the archive manifest is incomplete or damaged');
  return m;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A PostgreSQL identifier, quoted. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
