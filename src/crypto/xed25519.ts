/**
 * X25519 → Ed25519 public key conversion ("XEd25519", positive root). libsodium only converts the
 * other way, so this is done with BigInt field arithmetic. A Montgomery u-coordinate does not
 * carry the sign of the Edwards x-coordinate, so the result is always the x ≥ 0 ("positive")
 * point; the account's real key is this or its negation.
 */

const P = (1n << 255n) - 19n;

function bytesToBigIntLE(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  return n;
}

function bigIntToBytesLE(n: bigint, len: number): Buffer {
  const out = Buffer.alloc(len);
  let v = n;
  for (let i = 0; i < len; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

/**
 * y = (u − 1) / (u + 1) mod p, encoded little-endian with the sign bit clear. Null for a wrong
 * length, a non-canonical u (≥ p, which includes any u with the top bit set) and u = −1, where the
 * map has no finite image. The result is not checked for being a curve point; callers feeding it
 * to libsodium point operations get that check for free.
 */
export function x25519ToEd25519Positive(x: Uint8Array): Buffer | null {
  if (!(x instanceof Uint8Array) || x.length !== 32) return null;
  const u = bytesToBigIntLE(x);
  if (u >= P) return null;
  const denominator = (u + 1n) % P;
  if (denominator === 0n) return null;
  const y = (((u - 1n + P) % P) * modPow(denominator, P - 2n, P)) % P;
  return bigIntToBytesLE(y, 32);
}
