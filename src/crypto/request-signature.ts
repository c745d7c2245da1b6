import { concatBytes } from './bytes';
import { CryptoInputError } from './errors';
import { blake2b } from './hash';

export interface SignedRequestParts {
  /** The server's X25519 public key (32 bytes), not its Ed25519 key. */
  serverPk: Uint8Array;
  /** The decoded 16 nonce bytes, not the header text. */
  nonce: Uint8Array;
  /** The X-SOGS-Timestamp header text exactly as received: clients sign the text, not the number. */
  timestamp: string;
  method: string;
  /** Percent-decoded path starting with `/`; signed as UTF-8. */
  path: string;
  /** Raw query string without `?`, not decoded; `''` when there is none. */
  query: string;
  /** Exact body bytes; empty when there is no body. */
  body: Uint8Array;
  /** BLAKE2b-512 of a body that was hashed while it streamed past (then `body` is empty). */
  bodyHash?: Uint8Array;
}

/**
 * The bytes an X-SOGS-Signature covers (§2.2):
 * serverPk ‖ nonce ‖ timestamp ‖ method ‖ path [‖ "?" ‖ query] [‖ BLAKE2b-512(body)].
 * The optional parts are left out entirely when empty; an empty body is not hashed.
 */
export function signedMessage(parts: SignedRequestParts): Buffer {
  const { serverPk, nonce, timestamp, method, path, query, body } = parts;
  if (serverPk.length !== 32) throw new CryptoInputError(`server public key must be 32 bytes, got ${serverPk.length}`);
  if (nonce.length !== 16) throw new CryptoInputError(`nonce must be 16 bytes, got ${nonce.length}`);
  const pieces: Uint8Array[] = [
    serverPk,
    nonce,
    Buffer.from(timestamp, 'utf8'),
    Buffer.from(method, 'utf8'),
    Buffer.from(query.length > 0 ? `${path}?${query}` : path, 'utf8'),
  ];
  if (parts.bodyHash) pieces.push(parts.bodyHash);
  else if (body.length > 0) pieces.push(blake2b(body, 64));
  return concatBytes(pieces);
}
