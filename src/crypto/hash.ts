import { createHash, createHmac } from 'node:crypto';
import { CryptoInputError } from './errors';
import { sodium } from './sodium';

/**
 * Unkeyed (or keyed) BLAKE2b without salt or personalisation, the only forms SOGS uses:
 * 64 bytes for the blinding factor and the request body hash, 32 bytes for the XChaCha onion key.
 */
export function blake2b(data: Uint8Array, outLen: 32 | 64, key?: Uint8Array): Buffer {
  if (outLen !== 32 && outLen !== 64) throw new CryptoInputError(`blake2b: unsupported output length ${outLen}`);
  if (key !== undefined && key.length > 64) {
    throw new CryptoInputError(`blake2b: key must be at most 64 bytes, got ${key.length}`);
  }
  // Node's native BLAKE2b has only the unkeyed 64-byte form: the request body hash, which for an
  // upload runs over megabytes, several times faster than the wasm build.
  if (outLen === 64 && key === undefined) return createHash('blake2b512').update(data).digest();
  return Buffer.from(sodium().crypto_generichash(outLen, data, key ?? null));
}

export function sha512(data: Uint8Array): Buffer {
  return createHash('sha512').update(data).digest();
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
