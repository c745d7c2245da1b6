/** Shared helpers for the crypto vector tests. */

export function hex(s: string): Buffer {
  if (!/^([0-9a-f]{2})*$/i.test(s)) throw new Error(`bad hex in test vector: ${s}`);
  return Buffer.from(s, 'hex');
}

export function b64(s: string): Buffer {
  return Buffer.from(s, 'base64');
}

export function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** Bytes 0x01..0x20, the server private key of the §4.8 onion material. */
export const SERVER_PRIV_01_20 = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));

export function range(start: number, count: number): Buffer {
  return Buffer.from(Array.from({ length: count }, (_, i) => (start + i) & 0xff));
}
