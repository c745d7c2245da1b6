/**
 * Just enough of the Session message format to read a community message's text: Session padding
 * (`0x80` then zero bytes), and from the `Content` protobuf the `dataMessage` (field 1) with its
 * `body` (field 1), `attachments` (field 2) and `profile` (field 101) → `displayName` (field 1).
 * Used by the web pages and the content filters; never throws on untrusted bytes.
 */

export interface SessionContent {
  body?: string;
  displayName?: string;
  attachments: number;
}

/** Drops Session padding: trailing zero bytes and the `0x80` before them (§7.2). */
export function stripSessionPadding(data: Buffer): Buffer {
  const last = data.length ? data[data.length - 1] : undefined;
  if (last !== 0x00 && last !== 0x80) return data;
  let end = data.length;
  while (end > 0 && data[end - 1] === 0x00) end--;
  if (end > 1 && data[end - 1] === 0x80) return data.subarray(0, end - 1);
  return data;
}

/** The readable parts of a posted message (padded or not); null when it is not a Content protobuf. */
export function parseSessionContent(data: Buffer): SessionContent | null {
  const content = fields(stripSessionPadding(data));
  if (!content) return null;
  const dataMessage = lastBytes(content, 1);
  if (!dataMessage) return { attachments: 0 };
  const dm = fields(dataMessage);
  if (!dm) return null;
  const out: SessionContent = { attachments: dm.filter((f) => f.field === 2 && f.bytes).length };
  const body = lastBytes(dm, 1);
  if (body) out.body = utf8(body);
  const profile = lastBytes(dm, 101);
  const profileFields = profile ? fields(profile) : null;
  const name = profileFields ? lastBytes(profileFields, 1) : undefined;
  if (name) out.displayName = utf8(name);
  return out;
}

interface Field {
  field: number;
  /** Length-delimited payload (wire type 2); absent for numeric wire types. */
  bytes?: Buffer;
}

function fields(buf: Buffer): Field[] | null {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const key = varint(buf, pos);
    if (!key) return null;
    pos = key.next;
    const field = Math.floor(key.value / 8);
    const wire = key.value % 8;
    if (field === 0) return null;
    if (wire === 0) {
      const v = varint(buf, pos);
      if (!v) return null;
      pos = v.next;
      out.push({ field });
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > buf.length) return null;
      out.push({ field });
    } else if (wire === 2) {
      const len = varint(buf, pos);
      if (!len || len.next + len.value > buf.length) return null;
      out.push({ field, bytes: buf.subarray(len.next, len.next + len.value) });
      pos = len.next + len.value;
    } else {
      return null; // groups (3, 4) are not used by Session; 6 and 7 are invalid
    }
  }
  return out;
}

/** Varints up to 2^53; longer ones are not meaningful lengths or keys here. */
function varint(buf: Buffer, pos: number): { value: number; next: number } | null {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8 && pos + i < buf.length; i++) {
    const b = buf[pos + i];
    value += (b & 0x7f) * scale;
    if (!(b & 0x80)) return { value, next: pos + i + 1 };
    scale *= 128;
  }
  return null;
}

function lastBytes(list: Field[], field: number): Buffer | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (list[i].field === field && list[i].bytes) return list[i].bytes;
  return undefined;
}

function utf8(b: Buffer): string {
  return b.toString('utf8');
}
