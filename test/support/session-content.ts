/** Protobuf writing, just enough to build Session messages in tests. */
export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}
export const bytesField = (n: number, b: Buffer) => Buffer.concat([varint(n * 8 + 2), varint(b.length), b]);
export const intField = (n: number, v: number) => Buffer.concat([varint(n * 8), varint(v)]);
const field = bytesField;

/** A padded Session `Content` protobuf with a text body, as clients post it. */
export function sessionContent(body: string, displayName?: string): Buffer {
  const dataMessage = Buffer.concat([
    field(1, Buffer.from(body)),
    ...(displayName ? [field(101, field(1, Buffer.from(displayName)))] : []),
  ]);
  const content = field(1, dataMessage);
  return Buffer.concat([content, Buffer.from([0x80]), Buffer.alloc(7)]);
}
