/**
 * "15" blinding (§3): a per-server alias kA = (k·a)·G of an account's Ed25519 key, with
 * k = reduce(BLAKE2b-512(server X25519 pubkey)) shared by every user of that server.
 */
import { concatBytes, copyBuffer } from './bytes';
import { ed25519KeyPairFromSeed, ed25519PkToX25519 } from './ed25519';
import { CryptoInputError } from './errors';
import { blake2b, sha512 } from './hash';
import { parseSessionId, sessionIdFromKey } from './session-id';
import { sodium } from './sodium';
import { x25519ToEd25519Positive } from './xed25519';

/** Bit 7 of byte 31 of an Ed25519 encoding: the sign of x, the only thing a 05 id cannot tell. */
const SIGN_BIT = 0x80;

export interface BlindedIdCandidates {
  /** Sign bit cleared: the form kept in needs_blinding and used for sign-agnostic matching. */
  abs: string;
  /** Sign bit set. */
  neg: string;
}

export interface BlindedKeyPair {
  /** kA, the key after the `15` prefix. */
  publicKey: Buffer;
  /** ka = k·a mod L. */
  secretScalar: Buffer;
}

/** k = reduce(BLAKE2b-512(serverPk)): no key, salt or personalisation, and the 64-byte variant. */
export function blindingFactor(serverPk: Uint8Array): Buffer {
  requireLength(serverPk, 32, 'server public key');
  return copyBuffer(sodium().crypto_core_ed25519_scalar_reduce(blake2b(serverPk, 64)));
}

/**
 * The two `15` ids a `05` account can have on this server. The server cannot know which one the
 * client uses (X25519 drops the sign), so both must be looked up. Null when the id is not a `05`
 * id or its key has no Ed25519 counterpart in the prime-order group.
 */
export function blindedIdCandidates(sessionId05: string, serverPk: Uint8Array): BlindedIdCandidates | null {
  const parsed = parseSessionId(sessionId05);
  if (!parsed || parsed.prefix !== '05') return null;
  const edPositive = x25519ToEd25519Positive(parsed.key);
  if (!edPositive) return null;
  const k = blindingFactor(serverPk);
  let blinded: Buffer;
  try {
    blinded = copyBuffer(sodium().crypto_scalarmult_ed25519_noclamp(k, edPositive));
  } catch {
    // libsodium refuses points off the curve, of small order, or yielding the identity.
    return null;
  }
  return { abs: sessionIdFromKey('15', withSignBit(blinded, false)), neg: sessionIdFromKey('15', withSignBit(blinded, true)) };
}

/** A `15` id with the sign bit cleared (lower-case). Throws on anything that is not a `15` id. */
export function blindedAbs(blindedId15: string): string {
  const parsed = parseSessionId(blindedId15);
  if (!parsed || parsed.prefix !== '15') throw new CryptoInputError(`not a 15-prefixed blinded id: ${blindedId15}`);
  return sessionIdFromKey('15', withSignBit(parsed.key, false));
}

/**
 * The account's Ed25519 private scalar a: the clamped first half of SHA-512(seed), the same value
 * crypto_sign_ed25519_sk_to_curve25519 returns.
 */
export function ed25519PrivateScalar(edSeed32: Uint8Array): Buffer {
  requireLength(edSeed32, 32, 'Ed25519 seed');
  const a = sha512(edSeed32).subarray(0, 32);
  a[0] &= 248;
  a[31] &= 127;
  a[31] |= 64;
  return copyBuffer(a);
}

/** Client side: ka = k·a mod L and kA = ka·G. */
export function blindedKeyPair(edSeed32: Uint8Array, serverPk: Uint8Array): BlindedKeyPair {
  const s = sodium();
  const k = blindingFactor(serverPk);
  const a = ed25519PrivateScalar(edSeed32);
  const ka = copyBuffer(s.crypto_core_ed25519_scalar_mul(k, a));
  const kA = copyBuffer(s.crypto_scalarmult_ed25519_base_noclamp(ka));
  return { publicKey: kA, secretScalar: ka };
}

/** Client side `15` id for a seed on this server. */
export function blindedSessionIdFromSeed(edSeed32: Uint8Array, serverPk: Uint8Array): string {
  return sessionIdFromKey('15', blindedKeyPair(edSeed32, serverPk).publicKey);
}

/**
 * Client side blinded signature as the desktop client and pysogs make it (§2.3): deterministic
 * nonce r from the second half of SHA-512(seed) with kA mixed in, then plain EdDSA under kA with
 * secret scalar ka. libsession derives r differently (from the 64-byte key), so its signatures
 * differ byte-wise but verify the same.
 */
export function blindedSign(message: Uint8Array, edSeed32: Uint8Array, serverPk: Uint8Array): Buffer {
  const s = sodium();
  const { publicKey: kA, secretScalar: ka } = blindedKeyPair(edSeed32, serverPk);
  const nonceSeed = sha512(edSeed32).subarray(32, 64);
  const r = s.crypto_core_ed25519_scalar_reduce(sha512(concatBytes([nonceSeed, kA, message])));
  const R = s.crypto_scalarmult_ed25519_base_noclamp(r);
  const h = s.crypto_core_ed25519_scalar_reduce(sha512(concatBytes([R, kA, message])));
  const S = s.crypto_core_ed25519_scalar_add(r, s.crypto_core_ed25519_scalar_mul(h, ka));
  return concatBytes([R, S]);
}

/** The account's `05` id: `05` ‖ X25519 form of its Ed25519 public key. */
export function sessionIdFromEd25519Seed(seed: Uint8Array): string {
  const x = ed25519PkToX25519(ed25519KeyPairFromSeed(seed).publicKey);
  if (!x) throw new CryptoInputError('Ed25519 public key has no X25519 form');
  return sessionIdFromKey('05', x);
}

function withSignBit(key: Uint8Array, set: boolean): Buffer {
  const out = copyBuffer(key);
  out[31] = set ? out[31] | SIGN_BIT : out[31] & ~SIGN_BIT;
  return out;
}

function requireLength(b: Uint8Array, len: number, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== len) {
    throw new CryptoInputError(`${what} must be ${len} bytes, got ${b instanceof Uint8Array ? b.length : typeof b}`);
  }
}
