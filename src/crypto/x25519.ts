import { createPrivateKey, createPublicKey, diffieHellman, KeyObject } from 'node:crypto';
import { CryptoInputError } from './errors';

// X25519 through node:crypto (OpenSSL): several times faster than the wasm build per onion
// request, and loadable without libsodium (the cluster's primary derives the server's public key).
// Raw keys are wrapped in the fixed DER prefixes of RFC 8410.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** The last private key wrapped: the server's own, on every onion request. */
let last: { bytes: Buffer; key: KeyObject } | undefined;

function privateKeyObject(priv32: Uint8Array): KeyObject {
  if (priv32.length !== 32) throw new CryptoInputError(`X25519 private key must be 32 bytes, got ${priv32.length}`);
  if (last?.bytes.equals(priv32)) return last.key;
  const bytes = Buffer.from(priv32);
  last = { bytes, key: createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, bytes]), format: 'der', type: 'pkcs8' }) };
  return last.key;
}

export function x25519PublicKey(priv32: Uint8Array): Buffer {
  return createPublicKey(privateKeyObject(priv32)).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

/**
 * X25519(priv, pub). Throws CryptoInputError for a peer key of small order (the shared secret
 * would be all zeros, a key an attacker knows; OpenSSL refuses to derive it, as libsodium does).
 */
export function x25519SharedSecret(priv32: Uint8Array, pub32: Uint8Array): Buffer {
  const privateKey = privateKeyObject(priv32);
  if (pub32.length !== 32) throw new CryptoInputError(`X25519 public key must be 32 bytes, got ${pub32.length}`);
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub32]), format: 'der', type: 'spki' });
  let secret: Buffer;
  try {
    secret = diffieHellman({ privateKey, publicKey });
  } catch {
    throw new CryptoInputError('X25519 public key is of small order');
  }
  if (secret.every((b) => b === 0)) throw new CryptoInputError('X25519 public key is of small order');
  return secret;
}
