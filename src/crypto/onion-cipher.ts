/**
 * The symmetric layer of onion requests (§4.3): key derivation from the X25519 shared secret and
 * the two ciphertext layouts. Replies use the same key and algorithm with a fresh nonce.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { concatBytes, copyBuffer, toBuffer } from './bytes';
import { CryptoInputError } from './errors';
import { blake2b, hmacSha256 } from './hash';
import { sodium } from './sodium';
import { x25519SharedSecret } from './x25519';

export type OnionEncType = 'aes-gcm' | 'xchacha20';

export const AES_GCM_IV_BYTES = 12;
export const AES_GCM_TAG_BYTES = 16;
export const XCHACHA_NONCE_BYTES = 24;
export const XCHACHA_TAG_BYTES = 16;

const ONION_HMAC_KEY = Buffer.from('LOKI', 'ascii');

/** `enc_type` from the envelope JSON; absent means aes-gcm, the desktop client's default. */
export function parseEncType(s: string | undefined): OnionEncType | null {
  if (s === undefined) return 'aes-gcm';
  switch (s) {
    case 'aes-gcm':
    case 'gcm':
      return 'aes-gcm';
    case 'xchacha20':
    case 'xchacha20-poly1305':
      return 'xchacha20';
    default:
      return null;
  }
}

/**
 * aes-gcm: HMAC-SHA256 keyed with "LOKI" over S (not SHA-256(S), not S itself);
 * xchacha20: BLAKE2b-256(S ‖ client pub ‖ server pub), in that order.
 * Throws CryptoInputError for a small-order client key.
 */
export function onionKey(
  encType: OnionEncType,
  serverPriv: Uint8Array,
  serverPub: Uint8Array,
  clientEphemeralPub: Uint8Array,
): Buffer {
  const shared = x25519SharedSecret(serverPriv, clientEphemeralPub);
  return symmetricKeyFromShared(encType, shared, clientEphemeralPub, serverPub);
}

/** The client's side of the same derivation (test tooling): S = X25519(ephemeral priv, server pub). */
export function onionKeyForClient(
  encType: OnionEncType,
  clientEphemeralPriv: Uint8Array,
  clientEphemeralPub: Uint8Array,
  serverPub: Uint8Array,
): Buffer {
  const shared = x25519SharedSecret(clientEphemeralPriv, serverPub);
  return symmetricKeyFromShared(encType, shared, clientEphemeralPub, serverPub);
}

function symmetricKeyFromShared(
  encType: OnionEncType,
  shared: Uint8Array,
  clientPub: Uint8Array,
  serverPub: Uint8Array,
): Buffer {
  if (encType === 'aes-gcm') return hmacSha256(ONION_HMAC_KEY, shared);
  if (encType === 'xchacha20') return blake2b(concatBytes([shared, clientPub, serverPub]), 32);
  throw new CryptoInputError(`unknown onion enc_type: ${String(encType)}`);
}

/** aes-gcm: IV(12) ‖ ciphertext ‖ tag(16); xchacha20: nonce(24) ‖ ciphertext+tag(16). No AAD. */
export function onionEncrypt(encType: OnionEncType, key: Uint8Array, plaintext: Uint8Array, nonce?: Uint8Array): Buffer {
  if (key.length !== 32) throw new CryptoInputError(`onion key must be 32 bytes, got ${key.length}`);
  if (encType === 'aes-gcm') {
    const iv = nonce ?? randomBytes(AES_GCM_IV_BYTES);
    if (iv.length !== AES_GCM_IV_BYTES) throw new CryptoInputError(`AES-GCM IV must be ${AES_GCM_IV_BYTES} bytes`);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: AES_GCM_TAG_BYTES });
    return Buffer.concat([toBuffer(iv), cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }
  if (encType === 'xchacha20') {
    const s = sodium();
    const n = nonce ?? randomBytes(XCHACHA_NONCE_BYTES);
    if (n.length !== XCHACHA_NONCE_BYTES) throw new CryptoInputError(`XChaCha20 nonce must be ${XCHACHA_NONCE_BYTES} bytes`);
    const ct = s.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, null, null, n, key);
    return concatBytes([n, ct]);
  }
  throw new CryptoInputError(`unknown onion enc_type: ${String(encType)}`);
}

/** Null on a short blob, a wrong key, or any tampering; never throws on untrusted input. */
export function onionDecrypt(encType: OnionEncType, key: Uint8Array, blob: Uint8Array): Buffer | null {
  if (!(key instanceof Uint8Array) || key.length !== 32 || !(blob instanceof Uint8Array)) return null;
  if (encType === 'aes-gcm') {
    if (blob.length < AES_GCM_IV_BYTES + AES_GCM_TAG_BYTES) return null;
    const b = toBuffer(blob);
    const iv = b.subarray(0, AES_GCM_IV_BYTES);
    const ct = b.subarray(AES_GCM_IV_BYTES, b.length - AES_GCM_TAG_BYTES);
    const tag = b.subarray(b.length - AES_GCM_TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: AES_GCM_TAG_BYTES });
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]);
    } catch {
      return null;
    }
  }
  if (encType === 'xchacha20') {
    const s = sodium();
    if (blob.length < XCHACHA_NONCE_BYTES + XCHACHA_TAG_BYTES) return null;
    const n = blob.subarray(0, XCHACHA_NONCE_BYTES);
    const ct = blob.subarray(XCHACHA_NONCE_BYTES);
    try {
      return copyBuffer(s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ct, null, n, key));
    } catch {
      return null;
    }
  }
  return null;
}
