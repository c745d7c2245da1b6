import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { BackupArchiveError } from './archive-format';
import { readTar, TarEntry, TarFormatError, TarWriter } from './tar';

/**
 * A backup archive being written: a gzip'd tar in a temporary file beside the target (mode 0600:
 * it holds the private key), which `commit` makes durable and renames into place. Until then the
 * target is untouched; `abort` removes the temporary file.
 */
export class ArchiveWriter {
  readonly tar: TarWriter;
  private readonly gzip = zlib.createGzip({ level: 6 });
  private readonly done: Promise<void>;

  private constructor(
    readonly target: string,
    private readonly temp: string,
  ) {
    this.tar = new TarWriter(this.gzip);
    this.done = pipeline(this.gzip, fs.createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
    this.done.catch(() => undefined); // observed in commit/abort
  }

  static create(target: string): ArchiveWriter {
    const full = path.resolve(target);
    const dir = path.dirname(full);
    if (!fs.existsSync(dir)) throw new BackupArchiveError(`cannot write ${full}: the directory ${dir} does not exist`);
    // Replacing an earlier archive is fine; a directory, device or link there is surely a mistake.
    const existing = fs.lstatSync(full, { throwIfNoEntry: false });
    if (existing && !existing.isFile()) throw new BackupArchiveError(`cannot write ${full}: it exists and is not a regular file`);
    return new ArchiveWriter(full, path.join(dir, `.${path.basename(full)}.${randomBytes(4).toString('hex')}.partial`));
  }

  /** Ends the archive, syncs it to disk and renames it to the target; returns its size. */
  async commit(): Promise<number> {
    await this.tar.finish();
    this.gzip.end();
    await this.done;
    const handle = await fs.promises.open(this.temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(this.temp, this.target);
    await syncDir(path.dirname(this.target));
    return (await fs.promises.stat(this.target)).size;
  }

  async abort(): Promise<void> {
    this.gzip.destroy();
    await this.done.catch(() => undefined);
    await fs.promises.rm(this.temp, { force: true });
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await fs.promises.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not every platform can sync a directory; the rename itself has happened
  }
}

/**
 * The entries of a backup archive, in order. Reading goes on to the end of the file after the
 * last entry, so gzip checks its CRC and length: a damaged or truncated archive always throws
 * BackupArchiveError, at the latest when the last entry has been read.
 */
export async function* readArchive(file: string): AsyncGenerator<TarEntry> {
  let input: fs.ReadStream;
  try {
    await fs.promises.access(file, fs.constants.R_OK);
    input = fs.createReadStream(file);
  } catch (err) {
    throw new BackupArchiveError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const gunzip = zlib.createGunzip();
  pipeline(input, gunzip).catch(() => undefined); // a read error reaches us through gunzip
  const source = guarded(gunzip, file)[Symbol.asyncIterator]();
  // Reading an entry's body happens in the caller's hands: it gets the same error as reading the next entry.
  const damaged = (err: unknown) =>
    err instanceof TarFormatError ? new BackupArchiveError(`${file} is not a complete backup archive: ${err.message}`) : err;
  try {
    try {
      for await (const entry of readTar(source)) {
        yield {
          name: entry.name,
          size: entry.size,
          body: () => rethrowing(entry.body(), damaged),
          buffer: () => entry.buffer().catch((err) => Promise.reject(damaged(err))),
        };
      }
      while (!(await source.next()).done); // the gzip trailer: CRC and length
    } catch (err) {
      throw damaged(err);
    }
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}

async function* rethrowing<T>(source: AsyncIterable<T>, map: (err: unknown) => unknown): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (err) {
    throw map(err);
  }
}

async function* guarded(stream: AsyncIterable<Buffer>, file: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'Z_BUF_ERROR' ? 'it ends too early (truncated)' : (err as Error).message;
    throw new TarFormatError(code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' ? reason : `reading ${file}: ${reason}`);
  }
}
