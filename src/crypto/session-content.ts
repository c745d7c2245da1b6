/**
 * Just enough of the Session message format to read a community message's text: Session padding
 * (`0x80` then zero bytes), and from the `Content` protobuf the `dataMessage` (field 1) with its
 * `body` (field 1), `attachments` (field 2), `timestamp` (field 7) and `profile` (field 101) →
 * `displayName` (field 1). Used by the web pages, the content filters and the bot API; never throws
 * on untrusted bytes. `encodeSessionContent` writes the same fields (and a quote) for bot posts.
 */

export interface SessionContent {
  body?: string;
  displayName?: string;
  attachments: number;
  /** `dataMessage.timestamp`: when the sender says it sent the message (ms). */
  timestamp?: number;
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
  const timestamp = lastValue(dm, 7);
  if (timestamp !== undefined) out.timestamp = timestamp;
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
  /** A varint's value (wire type 0). */
  value?: number;
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
      out.push({ field, value: v.value });
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

function lastValue(list: Field[], field: number): number | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (list[i].field === field && list[i].value !== undefined) return list[i].value;
  return undefined;
}

function utf8(b: Buffer): string {
  return b.toString('utf8');
}

/** What a bot's message says (§7.8): the text, when it was written, and under which name. */
export interface OutgoingContent {
  body: string;
  /** Milliseconds; also the Content's `sigTimestamp`, which clients compare with `posted` (±6 h). */
  timestamp: number;
  displayName?: string;
  /** A reply: the quoted message's timestamp (ms), author id and text. */
  quote?: { id: number; author: string; text?: string };
}

/** Session clients pad to a multiple of this many bytes (libsession `encode_for_community`). */
const PADDING_BLOCK = 160;

/**
 * The padded `Content` protobuf a Session client posts: `dataMessage{body (1), timestamp (7),
 * quote (8), profile (101){displayName (1)}}` and `sigTimestamp` (15), fields in number order, then
 * `0x80` and zero bytes up to a multiple of 160 bytes.
 */
export function encodeSessionContent(c: OutgoingContent): Buffer {
  const dataMessage: Buffer[] = [bytesField(1, Buffer.from(c.body, 'utf8')), varintField(7, c.timestamp)];
  if (c.quote) {
    const quote = [varintField(1, c.quote.id), bytesField(2, Buffer.from(c.quote.author, 'utf8'))];
    if (c.quote.text !== undefined) quote.push(bytesField(3, Buffer.from(c.quote.text, 'utf8')));
    dataMessage.push(bytesField(8, Buffer.concat(quote)));
  }
  if (c.displayName !== undefined) dataMessage.push(bytesField(101, bytesField(1, Buffer.from(c.displayName, 'utf8'))));
  return padSessionMessage(Buffer.concat([bytesField(1, Buffer.concat(dataMessage)), varintField(15, c.timestamp)]));
}

/** `data ‖ 0x80 ‖ 0x00…` up to the next multiple of 160 bytes (at least the `0x80`). */
export function padSessionMessage(data: Buffer): Buffer {
  const length = (Math.floor((data.length + 1 + PADDING_BLOCK - 1) / PADDING_BLOCK) || 1) * PADDING_BLOCK;
  const out = Buffer.alloc(length);
  data.copy(out);
  out[data.length] = 0x80;
  return out;
}

function writeVarint(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`protobuf varint out of range: ${n}`);
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

function varintField(field: number, value: number): Buffer {
  return Buffer.concat([writeVarint(field * 8), writeVarint(value)]);
}

function bytesField(field: number, bytes: Buffer): Buffer {
  return Buffer.concat([writeVarint(field * 8 + 2), writeVarint(bytes.length), bytes]);
}
