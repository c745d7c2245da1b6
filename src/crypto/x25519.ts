import { createPrivateKey, createPublicKey } from 'node:crypto';
import { copyBuffer } from './bytes';
import { CryptoInputError } from './errors';
import { sodium } from './sodium';

// The public key through node:crypto, so that deriving the server's own (the cluster's primary does,
// for its banner) needs no libsodium. Raw keys are wrapped in the fixed DER prefixes of RFC 8410.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX_BYTES = 12;

export function x25519PublicKey(priv32: Uint8Array): Buffer {
  if (priv32.length !== 32) throw new CryptoInputError(`X25519 private key must be 32 bytes, got ${priv32.length}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, priv32]), format: 'der', type: 'pkcs8' });
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX_BYTES);
}

/**
 * X25519(priv, pub), with libsodium: measured faster here than node:crypto, whose key objects
 * cost more than the multiplication. Throws CryptoInputError for a peer key of small order
 * (libsodium refuses an all-zero shared secret, which would give an attacker-known key).
 */
export function x25519SharedSecret(priv32: Uint8Array, pub32: Uint8Array): Buffer {
  if (priv32.length !== 32) throw new CryptoInputError(`X25519 private key must be 32 bytes, got ${priv32.length}`);
  if (pub32.length !== 32) throw new CryptoInputError(`X25519 public key must be 32 bytes, got ${pub32.length}`);
  const s = sodium();
  try {
    return copyBuffer(s.crypto_scalarmult(priv32, pub32));
  } catch {
    throw new CryptoInputError('X25519 public key is of small order');
  }
}
