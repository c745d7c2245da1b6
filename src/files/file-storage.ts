import type { Readable, Writable } from 'node:stream';
import type { Sql } from '../database/sql';

/** An upload on its way into the storage: written as it arrives, then kept or discarded. */
export interface IncomingFile {
  /** The bytes go here as they arrive; it finishes once every byte is stored (not yet kept). */
  readonly sink: Writable;
  /**
   * Makes the complete upload a stored file and returns its key. With `sql`, as part of that
   * transaction where the storage is the database; elsewhere at once (the caller removes the key
   * should its transaction fail).
   */
  keep(sql?: Sql): Promise<string>;
  /** Drops whatever was written (a refused, broken or abandoned upload); does nothing once kept, or twice. */
  discard(): Promise<void>;
}

/** A stored file's bytes, read as the consumer takes them. */
export interface StoredBytes {
  size: number;
  stream: Readable;
}

/**
 * Where upload bytes live (`SOGS_FILE_STORAGE`): the local disk or the database; an object store
 * would be one more subclass. Keys are chosen by the storage, never derived from user input, so a
 * filename can never name a location; the database keeps the key in `files.path`. Bytes are
 * streamed in and out: no method holds a whole file in memory.
 */
export abstract class FileStorage {
  /** Begins a new upload. */
  abstract receive(): Promise<IncomingFile>;
  /** The bytes stored under `key`, or undefined when it names nothing (removed, or never stored). */
  abstract read(key: string): Promise<StoredBytes | undefined>;
  /** Removes the bytes, within the caller's transaction where the storage can; a key that names nothing is not an error. */
  abstract remove(key: string, sql?: Sql): Promise<void>;
  /**
   * Removes what uploads interrupted by a crash left behind: anything still incoming that began
   * before `before` (unix seconds). Returns how many uploads it removed.
   */
  abstract sweep(before: number, sql: Sql): Promise<number>;
}

/** Keys are `<random 128-bit hex>`; anything else read back from the database names nothing. */
export const STORAGE_KEY = /^[0-9a-f]{32}$/;
