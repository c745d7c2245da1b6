import { copyBuffer } from './bytes';
import { CryptoInputError } from './errors';
import { sodium } from './sodium';

export function x25519PublicKey(priv32: Uint8Array): Buffer {
  if (priv32.length !== 32) throw new CryptoInputError(`X25519 private key must be 32 bytes, got ${priv32.length}`);
  return copyBuffer(sodium().crypto_scalarmult_base(priv32));
}

/**
 * X25519(priv, pub). Throws CryptoInputError for a peer key of small order (libsodium refuses an
 * all-zero shared secret, which would give an attacker-known key).
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
