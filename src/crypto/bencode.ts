/**
 * The bencode subset of onion v4 (§4.4, §4.5): one top-level list of byte strings,
 * `l<len>:<bytes>…e`. Integers, dictionaries and nesting never occur there, so they are rejected
 * rather than parsed.
 */
import { toBuffer } from './bytes';

const CH_L = 0x6c; // 'l'
const CH_E = 0x65; // 'e'
const CH_COLON = 0x3a;
const CH_0 = 0x30;
const CH_9 = 0x39;

/** Strings are taken as UTF-8; lengths are byte lengths, never character counts. */
export function bencodeList(parts: readonly (Uint8Array | string)[]): Buffer {
  const chunks: Buffer[] = [Buffer.from('l')];
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : toBuffer(part);
    chunks.push(Buffer.from(`${bytes.length}:`, 'ascii'), bytes);
  }
  chunks.push(Buffer.from('e'));
  return Buffer.concat(chunks);
}

/**
 * Decodes `l<len>:<bytes>…e` into copies of the strings. Null on anything else: other bencode
 * types, lengths with leading zeros or a sign, lengths past the end of input, missing `e`,
 * trailing bytes, or more than `maxParts` strings. A length is compared with the bytes actually
 * left before anything is allocated, so a forged huge length costs nothing.
 */
export function bdecodeList(buf: Uint8Array, maxParts: number = Number.POSITIVE_INFINITY): Buffer[] | null {
  if (!(buf instanceof Uint8Array) || buf.length < 2 || buf[0] !== CH_L) return null;
  const parts: Buffer[] = [];
  let pos = 1;
  while (pos < buf.length) {
    if (buf[pos] === CH_E) return pos === buf.length - 1 ? parts : null;
    if (parts.length >= maxParts) return null;
    const lenStart = pos;
    let len = 0;
    while (pos < buf.length && buf[pos] >= CH_0 && buf[pos] <= CH_9) {
      len = len * 10 + (buf[pos] - CH_0);
      pos++;
      // Every digit at least multiplies by ten, so stopping here bounds the number far below 2^53.
      if (len > buf.length) return null;
    }
    const digits = pos - lenStart;
    if (digits === 0) return null;
    if (digits > 1 && buf[lenStart] === CH_0) return null;
    if (pos >= buf.length || buf[pos] !== CH_COLON) return null;
    pos++;
    if (len > buf.length - pos) return null;
    parts.push(Buffer.from(buf.subarray(pos, pos + len)));
    pos += len;
  }
  return null;
}
