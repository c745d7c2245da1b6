/**
 * The outer onion envelope as the last service node POSTs it (§4.2):
 * [N: uint32 little-endian][N bytes: encrypted blob][JSON routing metadata to the end].
 */
import { toBuffer } from './bytes';
import { CryptoInputError } from './errors';

export interface OnionEnvelope {
  blob: Buffer;
  /** The raw metadata bytes; only `ephemeral_key` and `enc_type` concern the server. */
  json: Buffer;
}

const LENGTH_PREFIX_BYTES = 4;

/** Null when the prefix is missing or claims more bytes than the body has. */
export function splitOnionEnvelope(body: Uint8Array): OnionEnvelope | null {
  if (!(body instanceof Uint8Array) || body.length < LENGTH_PREFIX_BYTES) return null;
  const b = toBuffer(body);
  const n = b.readUInt32LE(0);
  if (n > b.length - LENGTH_PREFIX_BYTES) return null;
  return {
    blob: b.subarray(LENGTH_PREFIX_BYTES, LENGTH_PREFIX_BYTES + n),
    json: b.subarray(LENGTH_PREFIX_BYTES + n),
  };
}

/** Client side (test tooling): the body a service node would deliver. */
export function buildOnionEnvelope(blob: Uint8Array, json: string | Uint8Array): Buffer {
  if (blob.length > 0xffffffff) throw new CryptoInputError('onion blob too large for a uint32 length');
  const prefix = Buffer.alloc(LENGTH_PREFIX_BYTES);
  prefix.writeUInt32LE(blob.length, 0);
  const jsonBytes = typeof json === 'string' ? Buffer.from(json, 'utf8') : toBuffer(json);
  return Buffer.concat([prefix, toBuffer(blob), jsonBytes]);
}
