import { copyBuffer } from './bytes';
import { CryptoInputError } from './errors';
import { sodium } from './sodium';

export interface Ed25519KeyPair {
  publicKey: Buffer;
  /** libsodium's 64-byte form: seed ‖ public key. */
  secretKey: Buffer;
}

/**
 * libsodium's check: canonical encoding, on the curve, in the prime-order subgroup and not of
 * small order. Keys failing it would let a signer forge equivalent identities (§15.3).
 */
export function isValidEd25519Point(pk: Uint8Array): boolean {
  const s = sodium();
  if (!(pk instanceof Uint8Array) || pk.length !== 32) return false;
  // The subgroup check costs about as much as a signature check, for a key that signs every
  // request: keys found valid are remembered (only valid ones, so junk keys cannot churn the set).
  const key = Buffer.from(pk.buffer, pk.byteOffset, 32).toString('latin1');
  if (validPoints.has(key)) return true;
  let valid: boolean;
  try {
    valid = s.crypto_core_ed25519_is_valid_point(pk);
  } catch {
    return false;
  }
  if (valid) {
    if (validPoints.size >= MAX_VALID_POINTS) validPoints.clear();
    validPoints.add(key);
  }
  return valid;
}

const validPoints = new Set<string>();
const MAX_VALID_POINTS = 50_000;

/** Plain Ed25519 verification; blinded signatures verify the same way. Never throws on bad input. */
export function verifyEd25519(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  const s = sodium();
  if (!(sig instanceof Uint8Array) || sig.length !== 64) return false;
  if (!(pk instanceof Uint8Array) || pk.length !== 32) return false;
  if (!(msg instanceof Uint8Array)) return false;
  try {
    return s.crypto_sign_verify_detached(sig, msg, pk);
  } catch {
    return false;
  }
}

/** The `05` account key (X25519) behind an Ed25519 key; null when libsodium rejects the point. */
export function ed25519PkToX25519(pk: Uint8Array): Buffer | null {
  const s = sodium();
  if (!(pk instanceof Uint8Array) || pk.length !== 32) return null;
  try {
    return copyBuffer(s.crypto_sign_ed25519_pk_to_curve25519(pk));
  } catch {
    return null;
  }
}

export function ed25519KeyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== 32) throw new CryptoInputError(`Ed25519 seed must be 32 bytes, got ${seed.length}`);
  const kp = sodium().crypto_sign_seed_keypair(seed);
  return { publicKey: copyBuffer(kp.publicKey), secretKey: copyBuffer(kp.privateKey) };
}

/** Ordinary (unblinded, `00`) Ed25519 signature, for test tooling and server-signed data. */
export function signEd25519(message: Uint8Array, seed: Uint8Array): Buffer {
  const { secretKey } = ed25519KeyPairFromSeed(seed);
  return copyBuffer(sodium().crypto_sign_detached(message, secretKey));
}
