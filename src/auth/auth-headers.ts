import { BadRequest } from '../common/errors';
import { decodeHexOrBase64 } from '../crypto';

export const AUTH_HEADERS = ['x-sogs-pubkey', 'x-sogs-nonce', 'x-sogs-timestamp', 'x-sogs-signature'] as const;

/** The four X-SOGS-* headers, decoded but not yet verified. */
export interface AuthHeaders {
  /** `00` (unblinded Ed25519) or `15` (blinded Ed25519). */
  prefix: '00' | '15';
  /** The 32-byte Ed25519 public key after the prefix. */
  key: Buffer;
  nonce: Buffer;
  /** Exactly as sent: this text is what the client signed. */
  timestampText: string;
  timestamp: number;
  signature: Buffer;
}

const bad = (what: string) => new BadRequest(`Invalid authentication: ${what}`);

/**
 * Reads the auth headers. None present → null (anonymous). Some missing, or any undecodable →
 * 400 with the reference server's texts, checked in its order: pubkey, nonce, signature, timestamp.
 * Point validity and the blinding policy are checked by the caller (they need crypto and config).
 */
export function readAuthHeaders(headers: Record<string, string | string[] | undefined>): AuthHeaders | null {
  const values = AUTH_HEADERS.map((name) => single(headers[name]));
  const missing = values.filter((v) => v === undefined || v === '').length;
  if (missing === AUTH_HEADERS.length) return null;
  if (missing > 0) throw new BadRequest(`Invalid authentication headers: missing ${missing}/4 required X-SOGS-* headers`);
  const [pubkeyText, nonceText, timestampText, signatureText] = values as string[];

  const pubkey = decodeHexOrBase64(pubkeyText, 33);
  if (!pubkey) throw bad('X-SOGS-Pubkey is not a valid 66-hex digit id');
  const prefix = pubkey[0];
  if (prefix !== 0x00 && prefix !== 0x15) throw bad('X-SOGS-Pubkey must be 00- or 15- prefixed');

  const nonce = decodeHexOrBase64(nonceText, 16);
  if (!nonce) throw bad('X-SOGS-Nonce must be 16 bytes (encoded as base64 or hex)');
  const signature = decodeHexOrBase64(signatureText, 64);
  if (!signature) throw bad('X-SOGS-Signature is not base64[88]');
  if (!/^\s*[+-]?\d{1,15}\s*$/.test(timestampText)) throw bad('X-SOGS-Timestamp is not a valid timestamp');

  return {
    prefix: prefix === 0x15 ? '15' : '00',
    key: pubkey.subarray(1),
    nonce,
    timestampText,
    timestamp: Number(timestampText.trim()),
    signature,
  };
}

/** A header given twice is as bad as one that cannot be decoded: take it only when single. */
function single(v: string | string[] | undefined): string | undefined {
  if (Array.isArray(v)) return v.length === 1 ? v[0] : '\u0000invalid';
  return v;
}
