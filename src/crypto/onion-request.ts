/**
 * Opening an onion request end to end: envelope → ephemeral key and enc_type → shared key →
 * plaintext. Every failure here is the protocol's plain HTTP 400 (§4.2), so one result type with
 * a reason for the log is all the caller needs.
 */
import { decodeEphemeralKey } from './ephemeral-key';
import { CryptoInputError } from './errors';
import { OnionEncType, onionDecrypt, onionEncrypt, onionKey, parseEncType } from './onion-cipher';
import { splitOnionEnvelope } from './onion-envelope';

export interface OpenedOnionRequest {
  ok: true;
  /** The decrypted inner request (bencoded for v4, JSON for v3). */
  plaintext: Buffer;
  encType: OnionEncType;
  /** Keep it to encrypt the reply with `sealOnionReply`. */
  key: Buffer;
  /** The envelope's routing metadata, already parsed. */
  metadata: Record<string, unknown>;
}

export interface RejectedOnionRequest {
  ok: false;
  reason: string;
  /** The algorithm the envelope named, when it got that far. */
  encType?: OnionEncType;
}

/** Never throws on untrusted input. */
export function openOnionRequest(
  body: Uint8Array,
  serverPriv: Uint8Array,
  serverPub: Uint8Array,
): OpenedOnionRequest | RejectedOnionRequest {
  const envelope = splitOnionEnvelope(body);
  if (!envelope) return reject('body too short or blob length exceeds body');
  let metadata: unknown;
  try {
    metadata = JSON.parse(envelope.json.toString('utf8'));
  } catch {
    return reject('routing metadata is not JSON');
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    return reject('routing metadata is not a JSON object');
  }
  const meta = metadata as Record<string, unknown>;
  const rawKey = meta.ephemeral_key;
  if (typeof rawKey !== 'string') return reject('missing ephemeral_key');
  const clientPub = decodeEphemeralKey(rawKey);
  if (!clientPub) return reject('invalid ephemeral_key');
  const rawEncType = meta.enc_type;
  if (rawEncType !== undefined && typeof rawEncType !== 'string') return reject('invalid enc_type');
  const encType = parseEncType(rawEncType);
  if (!encType) return reject(`unsupported enc_type ${JSON.stringify(rawEncType)}`);
  let key: Buffer;
  try {
    key = onionKey(encType, serverPriv, serverPub, clientPub);
  } catch (e) {
    if (e instanceof CryptoInputError) return reject('ephemeral_key is not a usable X25519 key', encType);
    throw e;
  }
  const plaintext = onionDecrypt(encType, key, envelope.blob);
  if (!plaintext) return reject('decryption failed', encType);
  return { ok: true, plaintext, encType, key, metadata: meta };
}

/** The reply: same key and algorithm as the request, fresh random nonce unless one is given. */
export function sealOnionReply(opened: Pick<OpenedOnionRequest, 'encType' | 'key'>, plaintext: Uint8Array, nonce?: Uint8Array): Buffer {
  return onionEncrypt(opened.encType, opened.key, plaintext, nonce);
}

function reject(reason: string, encType?: OnionEncType): RejectedOnionRequest {
  return encType ? { ok: false, reason, encType } : { ok: false, reason };
}
