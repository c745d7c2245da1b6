import { decodeBase32z, decodeEphemeralKey } from '../../../src/crypto';
import { hex } from './helpers';

// §4.8 / clients §5.5 pysogs test ephemeral public key.
const KEY_HEX = 'd79a50b82ba8ca665f854382b42ba159efd16eef87409e97a8d07395b9492928';
const KEY = hex(KEY_HEX);
// Computed with Python: base64.b32encode translated to the z-base-32 alphabet, '=' stripped.
const KEY_BASE32Z = '46pfbqbmidfgczhfeqbmek7bm8z7n5zxo7yj7f7e4b33mqkjfrwy';
const KEY_BASE64 = '15pQuCuoymZfhUOCtCuhWe/Rbu+HQJ6XqNBzlblJKSg=';

describe('decodeEphemeralKey', () => {
  it('64 hex in either case', () => {
    expect(decodeEphemeralKey(KEY_HEX)).toEqual(KEY);
    expect(decodeEphemeralKey(KEY_HEX.toUpperCase())).toEqual(KEY);
  });

  it('44-char padded and 43-char unpadded standard base64', () => {
    expect(decodeEphemeralKey(KEY_BASE64)).toEqual(KEY);
    expect(decodeEphemeralKey(KEY_BASE64.slice(0, 43))).toEqual(KEY);
  });

  it('52-char z-base-32', () => {
    expect(decodeEphemeralKey(KEY_BASE32Z)).toEqual(KEY);
    expect(decodeEphemeralKey('y'.repeat(52))).toEqual(Buffer.alloc(32));
    expect(decodeEphemeralKey(`${'9'.repeat(51)}o`)).toEqual(Buffer.alloc(32, 0xff));
  });

  it('32 raw bytes, and key text given as bytes', () => {
    expect(decodeEphemeralKey(new Uint8Array(KEY))).toEqual(KEY);
    expect(decodeEphemeralKey(Buffer.from(KEY_HEX, 'latin1'))).toEqual(KEY);
  });

  it('returns a copy of raw bytes', () => {
    const raw = Buffer.from(KEY);
    const decoded = decodeEphemeralKey(raw)!;
    raw[0] ^= 1;
    expect(decoded).toEqual(KEY);
  });

  it.each([
    ['63 hex', KEY_HEX.slice(1)],
    ['65 hex', `${KEY_HEX}0`],
    ['64 chars, not hex', `${KEY_HEX.slice(0, 63)}g`],
    ['url-safe base64', KEY_BASE64.replace('/', '_').replace('+', '-')],
    ['base64 of 31 bytes', KEY.subarray(1).toString('base64')],
    ['42-char base64', KEY_BASE64.slice(0, 42)],
    ['base32z with a character outside the alphabet', `${KEY_BASE32Z.slice(0, 51)}l`],
    ['upper-case base32z', KEY_BASE32Z.toUpperCase()],
    ['51-char base32z', KEY_BASE32Z.slice(1)],
    ['empty', ''],
  ])('rejects %s', (_name, input) => {
    expect(decodeEphemeralKey(input)).toBeNull();
  });

  it('rejects raw bytes of other lengths and non-string values', () => {
    expect(decodeEphemeralKey(new Uint8Array(31))).toBeNull();
    expect(decodeEphemeralKey(new Uint8Array(33))).toBeNull();
    expect(decodeEphemeralKey(42 as unknown as string)).toBeNull();
  });
});

describe('decodeBase32z', () => {
  it('decodes MSB-first 5-bit groups', () => {
    // "yb" = 0b00000 0b00001 → one byte 0x00 (with 2 leftover bits dropped); "o" (16) "y" → 0x80.
    expect(decodeBase32z('oy')?.toString('hex')).toBe('80');
    expect(decodeBase32z('')?.length).toBe(0);
    expect(decodeBase32z('0')).toBeNull();
  });
});
