import { randomBytes } from 'node:crypto';
import { createWriteStream, WriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FileStorage, IncomingFile, STORAGE_KEY, StoredBytes } from './file-storage';

/**
 * Files in one local directory (`<dataDir>/uploads`, `SOGS_FILE_STORAGE=local`): an upload is
 * written to `incoming/<random>` as it arrives and renamed to its key when kept. Several
 * instances share it only if they share the directory.
 */
export class LocalFileStorage extends FileStorage {
  constructor(
    private readonly dir: string,
    private readonly now: () => number,
  ) {
    super();
  }

  private get incomingDir(): string {
    return path.join(this.dir, 'incoming');
  }

  async receive(): Promise<IncomingFile> {
    await fs.mkdir(this.incomingDir, { recursive: true, mode: 0o700 });
    // Named after the time it began, which the sweep reads back.
    const incoming = path.join(this.incomingDir, `${Math.floor(this.now())}-${randomBytes(16).toString('hex')}`);
    // `wx`: a name collision fails loudly instead of writing into another upload.
    return new IncomingLocalFile(incoming, createWriteStream(incoming, { flags: 'wx', mode: 0o600 }), (key) => this.resolve(key));
  }

  async read(key: string): Promise<StoredBytes | undefined> {
    if (!STORAGE_KEY.test(key)) return undefined;
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.resolve(key), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const { size } = await handle.stat();
      return { size, stream: handle.createReadStream() }; // closes the file when read or destroyed
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await fs.rm(this.resolve(key), { force: true });
  }

  async sweep(before: number): Promise<number> {
    let names: string[];
    try {
      names = await fs.readdir(this.incomingDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let removed = 0;
    for (const name of names) {
      const file = path.join(this.incomingDir, name);
      if ((await this.began(name, file)) < before) {
        await fs.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  /** When an incoming upload began: from its name, else (older versions' names) its last change. */
  private async began(name: string, file: string): Promise<number> {
    const named = INCOMING_NAME.exec(name);
    if (named) return Number(named[1]);
    const stat = await fs.stat(file).catch(() => undefined);
    return stat ? stat.mtimeMs / 1000 : Infinity;
  }

  /** Only keys this storage made name a file: never a path outside the directory. */
  private resolve(key: string): string {
    if (!STORAGE_KEY.test(key)) throw new Error('invalid file storage key');
    return path.join(this.dir, key);
  }
}

/** `incoming/<unix seconds it began>-<random hex>`. */
const INCOMING_NAME = /^(\d+)-[0-9a-f]{32}$/;

class IncomingLocalFile implements IncomingFile {
  private state: 'open' | 'kept' | 'discarded' = 'open';

  constructor(
    private readonly incoming: string,
    readonly sink: WriteStream,
    private readonly resolve: (key: string) => string,
  ) {}

  async keep(): Promise<string> {
    if (this.state !== 'open' || !this.sink.writableFinished) throw new Error('the upload is not complete');
    const key = randomBytes(16).toString('hex');
    await fs.rename(this.incoming, this.resolve(key));
    this.state = 'kept';
    return key;
  }

  async discard(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'discarded';
    // The file may still be opening: once closed it can be removed for good.
    if (!this.sink.closed) await new Promise<void>((resolve) => this.sink.once('close', () => resolve()).destroy());
    await fs.rm(this.incoming, { force: true });
  }
}
