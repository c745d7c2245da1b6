/**
 * The URL to inject for a subrequest target (`/path?query`), or null when the router could not
 * see the path as written.
 *
 * The injector parses URLs as WHATWG URLs, which percent-encodes some characters, treats `#` as
 * the start of a fragment, drops tabs and newlines, and resolves `.`/`..` segments. Escaping
 * first keeps what the router and the signature check see equal to what the client sent:
 * - path: every byte outside RFC 3986 `pchar` (and `%`, `/`) becomes a %-escape. The path is
 *   signed percent-decoded and the router decodes escapes, so this changes neither; raw UTF-8
 *   (onion endpoints with emoji) becomes the escapes a direct request would carry.
 * - query: only what the URL parser would otherwise rewrite itself, so an ordinary query string
 *   (signed as sent, not decoded) reaches the signature check unchanged.
 * A path with dot segments is refused rather than silently resolved into another endpoint.
 */
export function injectableTarget(target: string): string | null {
  const q = target.indexOf('?');
  const path = escapeBytes(q < 0 ? target : target.slice(0, q), PATH_SAFE);
  const query = q < 0 ? '' : escapeBytes(target.slice(q + 1), QUERY_SAFE);
  let parsed: URL;
  try {
    parsed = new URL(`${INJECT_BASE}${path}${query ? `?${query}` : ''}`);
  } catch {
    return null;
  }
  if (parsed.pathname !== path || parsed.search !== (query ? `?${query}` : '')) return null;
  return parsed.pathname + parsed.search;
}

const INJECT_BASE = 'http://localhost';

/** RFC 3986 unreserved, sub-delims, `:`, `@`, `/`, and `%` (escapes already present stay). */
const PATH_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/%]/;
/** Printable ASCII except what a WHATWG URL escapes or cuts in a query: space " # ' < > */
const QUERY_SAFE = /[!$%&()*+,\-./0-9:;=?@A-Z[\\\]^_`a-z{|}~]/;

function escapeBytes(s: string, safe: RegExp): string {
  let out = '';
  for (const ch of s) {
    if (ch.length === 1 && safe.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
