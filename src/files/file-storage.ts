import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Where upload bytes live. Keys are chosen by the storage, never derived from user input, so a
 * filename can never name a path; the database keeps the key in `files.path`.
 */
export abstract class FileStorage {
  /** Stores the bytes under a new key and returns it. */
  abstract put(data: Buffer): Promise<string>;
  /** The bytes, or undefined when the key names nothing (already removed). */
  abstract get(key: string): Promise<Buffer | undefined>;
  /** Removes the bytes; a key that names nothing is not an error. */
  abstract remove(key: string): Promise<void>;
  /** A new path for bytes still arriving (a streamed upload), on the same volume as the store. */
  abstract incomingPath(): Promise<string>;
  /** Takes a complete file from `incomingPath()` into the store under a new key. */
  abstract adopt(incoming: string): Promise<string>;
}

/** Keys are `<random 128-bit hex>`; anything else read back from the database is refused. */
const KEY = /^[0-9a-f]{32}$/;

/** Files in one local directory (`<dataDir>/uploads`). */
export class LocalFileStorage extends FileStorage {
  constructor(private readonly dir: string) {
    super();
  }

  async put(data: Buffer): Promise<string> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const key = randomBytes(16).toString('hex');
    // `wx`: a key collision fails loudly instead of overwriting another upload.
    await fs.writeFile(this.resolve(key), data, { flag: 'wx', mode: 0o600 });
    return key;
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.resolve(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await fs.rm(this.resolve(key), { force: true });
  }

  async incomingPath(): Promise<string> {
    const dir = path.join(this.dir, 'incoming');
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    return path.join(dir, randomBytes(16).toString('hex'));
  }

  async adopt(incoming: string): Promise<string> {
    if (path.dirname(incoming) !== path.join(this.dir, 'incoming')) throw new Error('not an incoming upload');
    const key = randomBytes(16).toString('hex');
    await fs.rename(incoming, this.resolve(key));
    return key;
  }

  private resolve(key: string): string {
    if (!KEY.test(key)) throw new Error('invalid file storage key');
    return path.join(this.dir, key);
  }
}
