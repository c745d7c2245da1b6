/**
 * Upload filenames (§1.6, §9.1): read from `Content-Disposition` (RFC 5987 `filename*=` wins over
 * plain `filename=`), and written back in RFC 5987 form on download.
 */

const EXT_VALUE = /(?:^|;)\s*filename\*\s*=\s*([^;]*)/i;
const QUOTED = /(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/i;
const TOKEN = /(?:^|;)\s*filename\s*=\s*([^";\s][^;]*)/i;

/**
 * The filename a client gave, with NUL and `/` replaced by U+FFFD (the stored form), or null
 * when none was given. Bytes that are not UTF-8 become U+FFFD as well.
 */
export function uploadFilename(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const name = extendedFilename(header) ?? plainFilename(header);
  return name ? name.replace(/[\0/]/g, '\uFFFD') : null;
}

/** `filename*=charset'lang'pct-encoded`; only UTF-8 and ISO-8859-1 are meaningful charsets. */
function extendedFilename(header: string): string | null {
  const m = EXT_VALUE.exec(header);
  if (!m) return null;
  // Some clients quote the value, which RFC 5987 does not allow; the quotes are not part of the name.
  const parts = /^([^']*)'[^']*'(.*)$/.exec(m[1].trim().replace(/^"(.*)"$/, '$1'));
  if (!parts) return null;
  const bytes = percentDecode(parts[2]);
  return /^iso-8859-1$/i.test(parts[1]) ? bytes.toString('latin1') : utf8(bytes);
}

/**
 * `filename="…"` (backslash escapes undone) or a bare token. Node hands header values over as
 * latin-1, so raw UTF-8 sent by a client is reassembled from those bytes.
 */
function plainFilename(header: string): string | null {
  const quoted = QUOTED.exec(header);
  const value = quoted ? quoted[1].replace(/\\(.)/g, '$1') : TOKEN.exec(header)?.[1].trim();
  if (value === undefined) return null;
  return utf8(Buffer.from(value, 'latin1'));
}

function percentDecode(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s.slice(i + 1, i + 3);
    if (s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(...Buffer.from(s[i], 'latin1'));
    }
  }
  return Buffer.from(out);
}

const utf8 = (bytes: Buffer) => new TextDecoder('utf-8', { fatal: false }).decode(bytes);

/** Unreserved bytes (§1.6) stay as they are; every other UTF-8 byte is `%XX` in upper-case hex. */
const UNRESERVED = /^[A-Za-z0-9_.\-~/]$/;

/** The download's `Content-Disposition`. */
export function contentDisposition(filename: string | null): string {
  if (!filename) return 'attachment';
  let pct = '';
  for (const byte of Buffer.from(filename, 'utf8')) {
    const c = String.fromCharCode(byte);
    pct += UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `attachment; filename*=UTF-8''${pct}`;
}
