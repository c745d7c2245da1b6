/**
 * The client's ephemeral X25519 key from the onion envelope's `ephemeral_key`. Clients send hex;
 * libsession also accepts base64 and Oxen's z-base-32, so the server takes all of them.
 */
import { copyBuffer } from './bytes';
import { decodeBase64Strict, isHex } from './encoding';

const KEY_BYTES = 32;
const BASE32Z_ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';
const BASE32Z_LENGTH = 52;

/** 64 hex, 43/44-char standard base64, 52-char z-base-32, or 32 raw bytes; null otherwise. */
export function decodeEphemeralKey(v: string | Uint8Array): Buffer | null {
  if (v instanceof Uint8Array) {
    if (v.length === KEY_BYTES) return copyBuffer(v);
    return decodeEphemeralKeyText(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1'));
  }
  if (typeof v !== 'string') return null;
  return decodeEphemeralKeyText(v);
}

function decodeEphemeralKeyText(s: string): Buffer | null {
  if (s.length === 2 * KEY_BYTES) return isHex(s, 2 * KEY_BYTES) ? Buffer.from(s, 'hex') : null;
  if (s.length === 43 || s.length === 44) {
    const b = decodeBase64Strict(s);
    return b !== null && b.length === KEY_BYTES ? b : null;
  }
  if (s.length === BASE32Z_LENGTH) {
    const b = decodeBase32z(s);
    return b !== null && b.length === KEY_BYTES ? b : null;
  }
  return null;
}

/**
 * z-base-32 (lower case only), most significant bit first like RFC 4648 base32, no padding.
 * Leftover bits that do not fill a byte are ignored (52 characters carry 260 bits for 32 bytes),
 * as Oxen's decoder does.
 */
export function decodeBase32z(s: string): Buffer | null {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of s) {
    const v = BASE32Z_ALPHABET.indexOf(ch);
    if (v < 0) return null;
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}
