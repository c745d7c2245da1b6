import { isHex } from './encoding';

/** `05` = X25519 key of a real account, `15` = per-server blinded Ed25519 key. */
export type SessionIdPrefix = '05' | '15';

export interface ParsedSessionId {
  prefix: SessionIdPrefix;
  /** The 32 key bytes after the prefix. */
  key: Buffer;
  /** Normalised (lower-case) id, the form stored and compared everywhere. */
  id: string;
}

export const SESSION_ID_HEX_LENGTH = 66;

/** Parses a `05…`/`15…` id (66 hex, either case); null for anything else, including `00`/`25`/`ff`. */
export function parseSessionId(s: string): ParsedSessionId | null {
  if (typeof s !== 'string' || !isHex(s, SESSION_ID_HEX_LENGTH)) return null;
  const id = s.toLowerCase();
  const prefix = id.slice(0, 2);
  if (prefix !== '05' && prefix !== '15') return null;
  return { prefix, key: Buffer.from(id.slice(2), 'hex'), id };
}

export function isBlindedId(s: string): boolean {
  return parseSessionId(s)?.prefix === '15';
}

export function isUnblindedId(s: string): boolean {
  return parseSessionId(s)?.prefix === '05';
}

export function sessionIdFromKey(prefix: SessionIdPrefix, key: Uint8Array): string {
  return prefix + Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex');
}
