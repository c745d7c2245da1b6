import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { Sql } from '../database/sql';
import { FileChunksRepository } from './file-chunks.repository';
import { FileStorage, IncomingFile, STORAGE_KEY, StoredBytes } from './file-storage';

/** Bytes per `file_chunks` row: at most this much of a file is in memory on its way in or out. */
export const CHUNK_SIZE = 256 * 1024;

/**
 * Files in the database itself (`SOGS_FILE_STORAGE=database`), so several instances on one
 * PostgreSQL need nothing else in common. An upload is inserted chunk by chunk as it arrives (each
 * insert on its own, so a slow upload holds no connection), marked kept in the transaction that
 * records its `files` row, and read back one chunk per query as the client takes it.
 */
export class DatabaseFileStorage extends FileStorage {
  constructor(
    private readonly chunks: FileChunksRepository,
    private readonly now: () => number,
  ) {
    super();
  }

  async receive(): Promise<IncomingFile> {
    return new IncomingChunks(this.chunks, randomBytes(16).toString('hex'), this.now());
  }

  async read(key: string): Promise<StoredBytes | undefined> {
    if (!STORAGE_KEY.test(key)) return undefined;
    const { chunks, size } = await this.chunks.extent(key);
    if (!chunks) return undefined;
    const repo = this.chunks;
    async function* bytes(): AsyncGenerator<Buffer> {
      for (let i = 0; i < chunks; i++) {
        const data = await repo.chunk(key, i);
        if (!data) throw new Error('a stored file was removed while it was read');
        if (data.length) yield data;
      }
    }
    // Not object mode: one chunk is read ahead at most (it exceeds the stream's buffer alone).
    return { size, stream: Readable.from(bytes(), { objectMode: false }) };
  }

  async remove(key: string, sql?: Sql): Promise<void> {
    await this.chunks.remove(key, sql);
  }

  sweep(before: number, sql: Sql): Promise<number> {
    return this.chunks.removeIncomingBefore(before, sql);
  }
}

/**
 * Buffers what arrives up to one chunk and inserts it before taking more (the stream's
 * backpressure holds the client back meanwhile). Chunk 0 is always written, empty for an empty
 * file, and carries the time the upload began until it is kept.
 */
class IncomingChunks implements IncomingFile {
  readonly sink: Writable;
  private state: 'open' | 'kept' | 'discarded' = 'open';
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private next = 0;
  private inserting: Promise<void> = Promise.resolve();

  constructor(
    private readonly repo: FileChunksRepository,
    private readonly key: string,
    private readonly began: number,
  ) {
    this.sink = new Writable({
      highWaterMark: CHUNK_SIZE,
      write: (data: Buffer, _encoding, done) => {
        this.buffered.push(data);
        this.bufferedBytes += data.length;
        this.flush(false).then(() => done(), done);
      },
      final: (done) => this.flush(true).then(() => done(), done),
    });
  }

  async keep(sql?: Sql): Promise<string> {
    if (this.state !== 'open' || !this.sink.writableFinished) throw new Error('the upload is not complete');
    if (!(await this.repo.markKept(this.key, sql))) throw new Error('the upload was removed while it arrived');
    this.state = 'kept';
    return this.key;
  }

  async discard(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'discarded';
    this.sink.destroy();
    // An insert still under way would otherwise land after the delete.
    await this.inserting.catch(() => undefined);
    if (this.next > 0) await this.repo.remove(this.key);
  }

  /** Inserts every full chunk buffered, and with `all` the rest (chunk 0 even when empty). */
  private async flush(all: boolean): Promise<void> {
    while (this.bufferedBytes >= CHUNK_SIZE || (all && (this.bufferedBytes > 0 || this.next === 0))) {
      // One piece (a body that was in memory anyway) is cut up without copying.
      const joined = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered, this.bufferedBytes);
      const rest = joined.subarray(CHUNK_SIZE);
      this.buffered = rest.length ? [rest] : [];
      this.bufferedBytes = rest.length;
      await this.insert(joined.subarray(0, CHUNK_SIZE));
    }
  }

  private insert(data: Buffer): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new Error('the upload was discarded'));
    const chunk = this.next++;
    this.inserting = this.repo.insert(this.key, chunk, data, chunk === 0 ? this.began : null);
    return this.inserting;
  }
}
