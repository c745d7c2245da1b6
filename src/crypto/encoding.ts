/**
 * Text encodings of binary header and key values. Node's own decoders silently skip bad
 * characters and accept the URL-safe alphabet, so every input is checked here before decoding.
 */

const HEX_RE = /^[0-9a-fA-F]*$/;
const BASE64_BODY_RE = /^[A-Za-z0-9+/]*$/;

/** True when `s` is exactly `len` hex digits (either case). */
export function isHex(s: string, len: number): boolean {
  return s.length === len && HEX_RE.test(s);
}

/** Hex of any even length to bytes, or null on anything that is not hex. */
export function decodeHex(s: string): Buffer | null {
  if (s.length % 2 !== 0 || !HEX_RE.test(s)) return null;
  return Buffer.from(s, 'hex');
}

/**
 * Standard-alphabet base64, padding optional (none, partial or full, but never more than the
 * final group needs). Returns null on URL-safe characters, whitespace, misplaced `=`, or a length
 * no base64 text can have. Unused low bits of the last character are ignored, as Python does.
 */
export function decodeBase64Strict(s: string): Buffer | null {
  let body = s;
  let pads = 0;
  while (pads < 2 && body.endsWith('=')) {
    body = body.slice(0, -1);
    pads++;
  }
  if (!BASE64_BODY_RE.test(body)) return null;
  const rem = body.length % 4;
  if (rem === 1) return null;
  const neededPads = (4 - rem) % 4;
  if (pads > neededPads) return null;
  return Buffer.from(body, 'base64');
}

/** Length of unpadded base64 for `size` bytes. */
export function base64UnpaddedLength(size: number): number {
  return Math.ceil((size * 4) / 3);
}

/** Length of padded base64 for `size` bytes. */
export function base64PaddedLength(size: number): number {
  return 4 * Math.ceil(size / 3);
}

/**
 * The header rule of the protocol (§2.1): the length alone decides the encoding. Exactly
 * 2×size characters is hex; a length between the unpadded and padded base64 lengths is base64
 * that must decode to exactly `size` bytes; anything else is rejected.
 */
export function decodeHexOrBase64(value: string, size: number): Buffer | null {
  if (value.length === 2 * size) return isHex(value, 2 * size) ? Buffer.from(value, 'hex') : null;
  if (value.length < base64UnpaddedLength(size) || value.length > base64PaddedLength(size)) return null;
  const decoded = decodeBase64Strict(value);
  return decoded !== null && decoded.length === size ? decoded : null;
}

/** Standard base64 with padding, the form used on output everywhere in the protocol. */
export function encodeBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

export function encodeHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
