import { bdecodeList } from '../crypto';

export interface InnerRequest {
  method: string;
  /** Path with optional `?query`, possibly raw UTF-8 or %-escaped. */
  endpoint: string;
  headers: Record<string, string>;
  body: Buffer;
}

export const INNER_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;

/**
 * The decrypted v4 request: a bencoded list of the JSON metadata and an optional body (§4.4).
 * Null for anything else; the caller answers that with an encrypted 400.
 */
export function parseV4Request(plaintext: Buffer): InnerRequest | null {
  const parts = bdecodeList(plaintext, 2);
  if (!parts || parts.length < 1) return null;
  let meta: unknown;
  try {
    meta = JSON.parse(parts[0].toString('utf8'));
  } catch {
    return null;
  }
  const request = innerRequest(meta);
  return request ? { ...request, body: parts[1] ?? Buffer.alloc(0) } : null;
}

/** method, endpoint and headers of a v4 metadata object or a v3 request object. */
export function innerRequest(meta: unknown): Omit<InnerRequest, 'body'> | null {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return null;
  const { method, endpoint, headers } = meta as Record<string, unknown>;
  if (typeof method !== 'string' || !(INNER_METHODS as readonly string[]).includes(method.toUpperCase())) return null;
  if (typeof endpoint !== 'string' || !endpoint.startsWith('/')) return null;
  const out: Record<string, string> = {};
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object' || Array.isArray(headers)) return null;
    for (const [k, v] of Object.entries(headers)) {
      if (typeof v !== 'string') return null;
      out[k.toLowerCase()] = v;
    }
  }
  return { method: method.toUpperCase(), endpoint, headers: out };
}
