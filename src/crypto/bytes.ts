/** Byte helpers shared by the crypto files. */

export function toBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** A copy, so callers can never alias libsodium's or the caller's memory by accident. */
export function copyBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b);
}

export function concatBytes(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts.map(toBuffer));
}
