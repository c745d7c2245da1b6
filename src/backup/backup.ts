import type { DataSource } from 'typeorm';
import { ServerKey } from '../keys/server-key';
import { ArchiveWriter } from './archive-file';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, KEY_ENTRY, Manifest, MANIFEST_ENTRY, tablePartEntry, UPLOAD_PREFIX } from './archive-format';
import { dumpDatabase } from './database-dump';
import { openUpload } from './upload-files';

export interface BackupResult {
  file: string;
  /** Size of the archive (compressed). */
  bytes: number;
  manifest: Manifest;
}

/**
 * Writes one archive of the key, the database (one snapshot, see dumpDatabase) and the uploads.
 * Uploads are copied after the snapshot's transaction has ended (so the embedded database is held
 * only for the rows); they never change once stored, and one removed meanwhile by the expiry
 * cleanup is counted as missing instead of failing the backup.
 */
export async function writeBackup(opts: {
  file: string;
  dataSource: DataSource;
  dataDir: string;
  serverKey: ServerKey;
  fileStorage: 'local' | 'database';
}): Promise<BackupResult> {
  const archive = ArchiveWriter.create(opts.file);
  try {
    await archive.tar.add(KEY_ENTRY, opts.serverKey.privateKey);
    const created = new Date().toISOString();
    const runner = opts.dataSource.createQueryRunner();
    let dump;
    try {
      dump = await dumpDatabase(runner, (table, part, data) => archive.tar.add(tablePartEntry(table, part), data));
    } finally {
      await runner.release();
    }
    const uploads = { files: 0, bytes: 0, missing: 0, storage: opts.fileStorage };
    // With database storage the bytes are rows of file_chunks, already in the dump.
    for (const key of opts.fileStorage === 'local' ? new Set(dump.uploadKeys) : []) {
      const file = await openUpload(opts.dataDir, key);
      if (!file) {
        uploads.missing++;
        continue;
      }
      try {
        await archive.tar.addStream(UPLOAD_PREFIX + key, file.size, file.stream);
      } finally {
        file.stream.destroy();
      }
      uploads.files++;
      uploads.bytes += file.size;
    }
    const { uploadKeys: _, ...database } = dump;
    const manifest: Manifest = {
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      created,
      ...database,
      serverPublicKey: opts.serverKey.publicKeyHex,
      uploads,
    };
    await archive.tar.add(MANIFEST_ENTRY, Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
    const bytes = await archive.commit();
    return { file: archive.target, bytes, manifest };
  } catch (err) {
    await archive.abort();
    throw err;
  }
}
