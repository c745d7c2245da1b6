import type { Writable } from 'node:stream';

/**
 * The small part of the tar format (POSIX ustar) a backup archive needs: regular files with short
 * names, written and read as streams, so neither a table nor an upload is ever whole in memory.
 * Ordinary `tar` tools list and extract these archives.
 */

const BLOCK = 512;
/** Octal in 11 digits: 8 GiB. No single entry of a backup comes near it. */
const MAX_SIZE = 8 * 1024 ** 3 - 1;

export class TarFormatError extends Error {}

export class TarWriter {
  private written = 0;

  constructor(private readonly out: Writable) {}

  /** Bytes written so far (before compression). */
  get bytes(): number {
    return this.written;
  }

  async add(name: string, data: Buffer): Promise<void> {
    await this.addStream(name, data.length, [data]);
  }

  /** An entry of exactly `size` bytes taken from `source`; a source of another length is an error. */
  async addStream(name: string, size: number, source: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    await this.write(header(name, size));
    let seen = 0;
    for await (const chunk of source) {
      seen += chunk.length;
      if (seen > size) throw new TarFormatError(`${name} grew while it was being archived`);
      await this.write(chunk);
    }
    if (seen !== size) throw new TarFormatError(`${name} shrank while it was being archived`);
    await this.pad(size);
  }

  /** The end-of-archive marker; the caller ends the stream. */
  async finish(): Promise<void> {
    await this.write(Buffer.alloc(BLOCK * 2));
  }

  private async pad(size: number): Promise<void> {
    const rest = size % BLOCK;
    if (rest) await this.write(Buffer.alloc(BLOCK - rest));
  }

  private async write(chunk: Buffer): Promise<void> {
    // A stream that failed (a full disk, an unwritable target) ends the backup, never a wait.
    if (this.out.destroyed) throw this.out.errored ?? new TarFormatError('the archive stream was closed');
    this.written += chunk.length;
    if (!this.out.write(chunk)) await drained(this.out);
  }
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      out.off('drain', done).off('error', done).off('close', done);
      if (err) reject(err);
      else if (out.destroyed) reject(out.errored ?? new TarFormatError('the archive stream was closed'));
      else resolve();
    };
    out.on('drain', done).on('error', done).on('close', done);
  });
}

function header(name: string, size: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new TarFormatError(`entry name too long: ${name}`);
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_SIZE) throw new TarFormatError(`entry too large: ${name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write('0000600\0', 100, 'ascii'); // mode
  h.write('0000000\0', 108, 'ascii'); // uid
  h.write('0000000\0', 116, 'ascii'); // gid
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  h.write(Math.floor(Date.now() / 1000).toString(8).padStart(11, '0') + '\0', 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum placeholder: spaces while summing
  h.write('0', 156, 'ascii'); // regular file
  h.write('ustar\0' + '00', 257, 'ascii');
  h.write(checksum(h).toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

function checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum;
}

export interface TarEntry {
  name: string;
  size: number;
  /** The content in pieces; read it (or not) before asking for the next entry. */
  body(): AsyncIterable<Buffer>;
  /** The whole content, for entries known to be small (the caller checks `size` first). */
  buffer(): Promise<Buffer>;
}

/**
 * The entries of a tar stream in order, up to its end-of-archive block (the caller may read what
 * follows from `source`). A damaged or incomplete archive throws TarFormatError.
 */
export async function* readTar(source: AsyncIterator<Buffer>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source);
  for (;;) {
    const h = await reader.read(BLOCK);
    if (h.every((b) => b === 0)) return; // end of archive (the second zero block is not needed)
    const stored = parseOctal(h, 148, 8, 'checksum');
    if (stored !== checksum(h)) throw new TarFormatError('damaged entry header (checksum)');
    const type = String.fromCharCode(h[156]);
    if (type !== '0' && type !== '\0') throw new TarFormatError(`unexpected entry type "${type}"`);
    const prefix = cString(h, 345, 155);
    const name = (prefix ? `${prefix}/` : '') + cString(h, 0, 100);
    const size = parseOctal(h, 124, 12, 'size');
    let left = size;
    const body = async function* () {
      while (left > 0) {
        const chunk = await reader.some(left);
        left -= chunk.length;
        yield chunk;
      }
    };
    yield {
      name,
      size,
      body,
      buffer: async () => {
        const parts: Buffer[] = [];
        for await (const c of body()) parts.push(c);
        return Buffer.concat(parts);
      },
    };
    while (left > 0) left -= (await reader.some(left)).length; // what the consumer did not read
    const rest = size % BLOCK;
    if (rest) await reader.read(BLOCK - rest);
  }
}

function cString(h: Buffer, start: number, length: number): string {
  const field = h.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString('utf8');
}

function parseOctal(h: Buffer, start: number, length: number, what: string): number {
  const text = h.subarray(start, start + length).toString('ascii').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`damaged entry header (${what})`);
  return parseInt(text, 8);
}

/** Exact-length reads over a stream of chunks; the end of the stream before them is an error. */
class ByteReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  async read(n: number): Promise<Buffer> {
    while (this.pending.length < n) await this.fill();
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    return out;
  }

  /** Between 1 and `max` bytes. */
  async some(max: number): Promise<Buffer> {
    if (!this.pending.length) await this.fill();
    const out = this.pending.subarray(0, Math.min(max, this.pending.length));
    this.pending = this.pending.subarray(out.length);
    return out;
  }

  private async fill(): Promise<void> {
    const next = await this.source.next();
    if (next.done) throw new TarFormatError('the archive ends too early (truncated)');
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
  }
}
