import {
  base64PaddedLength,
  base64UnpaddedLength,
  decodeBase64Strict,
  decodeHex,
  decodeHexOrBase64,
  encodeBase64,
  isHex,
} from '../../../src/crypto';
import { range } from './helpers';

describe('decodeBase64Strict', () => {
  it('decodes padded and unpadded standard base64', () => {
    expect(decodeBase64Strict('aGVsbG8gd29ybGQ=')?.toString()).toBe('hello world');
    expect(decodeBase64Strict('aGVsbG8gd29ybGQ')?.toString()).toBe('hello world');
    expect(decodeBase64Strict('YWJjZGVm')?.toString()).toBe('abcdef');
    expect(decodeBase64Strict('YQ==')?.toString()).toBe('a');
    expect(decodeBase64Strict('YQ=')?.toString()).toBe('a');
    expect(decodeBase64Strict('YQ')?.toString()).toBe('a');
    expect(decodeBase64Strict('')?.length).toBe(0);
  });

  it('decodes + and / (standard alphabet)', () => {
    expect(decodeBase64Strict('+/+/')?.toString('hex')).toBe('fbffbf');
  });

  it('rejects the URL-safe alphabet', () => {
    expect(decodeBase64Strict('-_-_')).toBeNull();
    expect(decodeBase64Strict('ab-d')).toBeNull();
    expect(decodeBase64Strict('ab_d')).toBeNull();
  });

  it('rejects invalid characters, whitespace and misplaced or excess padding', () => {
    for (const bad of ['ab d', 'abc\n', ' abc', 'ab*d', 'a=bc', 'ab=c', '=abc', 'YQ===', 'YWI==', 'YWJj=', 'YWJj==', 'é', '====']) {
      expect([bad, decodeBase64Strict(bad)]).toEqual([bad, null]);
    }
  });

  it('rejects lengths no base64 text can have', () => {
    expect(decodeBase64Strict('a')).toBeNull();
    expect(decodeBase64Strict('abcde')).toBeNull();
    expect(decodeBase64Strict('abcde=')).toBeNull();
  });
});

describe('decodeHexOrBase64 (§2.1 length rule)', () => {
  it('computes the base64 length bounds', () => {
    expect([base64UnpaddedLength(16), base64PaddedLength(16)]).toEqual([22, 24]);
    expect([base64UnpaddedLength(33), base64PaddedLength(33)]).toEqual([44, 44]);
    expect([base64UnpaddedLength(64), base64PaddedLength(64)]).toEqual([86, 88]);
  });

  describe.each([16, 33, 64])('size %i', (size) => {
    // fb ff bf encodes as "+/+/", so every form below really contains the two non-alphanumerics.
    const bytes = Buffer.concat([Buffer.from('fbffbf', 'hex'), range(0xa0, size - 3)]);
    const hexText = bytes.toString('hex');
    const padded = bytes.toString('base64');
    const unpadded = padded.replace(/=+$/, '');

    it('accepts 2×size hex in either case', () => {
      expect(decodeHexOrBase64(hexText, size)).toEqual(bytes);
      expect(decodeHexOrBase64(hexText.toUpperCase(), size)).toEqual(bytes);
    });

    it('accepts padded and unpadded base64', () => {
      expect(decodeHexOrBase64(padded, size)).toEqual(bytes);
      expect(decodeHexOrBase64(unpadded, size)).toEqual(bytes);
    });

    it('rejects hex of the wrong length or with non-hex characters', () => {
      expect(decodeHexOrBase64(hexText.slice(2), size)).toBeNull();
      expect(decodeHexOrBase64(`${hexText}00`, size)).toBeNull();
      expect(decodeHexOrBase64(`${hexText.slice(0, -1)}g`, size)).toBeNull();
    });

    it('rejects base64 of a length outside the window or decoding to another size', () => {
      expect(decodeHexOrBase64(`${padded}A`, size)).toBeNull();
      expect(decodeHexOrBase64(range(0, size - 1).toString('base64'), size)).toBeNull();
      expect(decodeHexOrBase64(range(0, size + 1).toString('base64').replace(/=+$/, ''), size)).toBeNull();
    });

    it('rejects URL-safe base64 and invalid characters', () => {
      const urlSafe = padded.replace(/\+/g, '-').replace(/\//g, '_');
      expect(urlSafe).not.toBe(padded);
      expect(decodeHexOrBase64(urlSafe, size)).toBeNull();
      expect(decodeHexOrBase64(`*${padded.slice(1)}`, size)).toBeNull();
    });
  });

  it('16-byte nonce of §15.2 as hex, padded and unpadded base64', () => {
    const nonce = '09d0799f2295990182c3ab3406fbfc5b';
    expect(decodeHexOrBase64(nonce, 16)?.toString('hex')).toBe(nonce);
    expect(decodeHexOrBase64('CdB5nyKVmQGCw6s0Bvv8Ww==', 16)?.toString('hex')).toBe(nonce);
    expect(decodeHexOrBase64('CdB5nyKVmQGCw6s0Bvv8Ww', 16)?.toString('hex')).toBe(nonce);
    expect(decodeHexOrBase64('CdB5nyKVmQGCw6s0Bvv8Ww=', 16)?.toString('hex')).toBe(nonce);
    expect(decodeHexOrBase64('CdB5nyKVmQGCw6s0Bvv8W', 16)).toBeNull();
    expect(decodeHexOrBase64('CdB5nyKVmQGCw6s0Bvv8Ww===', 16)).toBeNull();
  });

  it('64-byte signature of §15.2 as base64 (88 and 86 chars) and 128 hex', () => {
    const sig = 'xxLpXHbomAJMB9AtGMyqvBsXrdd2040y+Ol/IKzElWfKJa3EYZRv1GLO6CTLhrDFUwVQe8PPltyGs54Kd7O5Cg==';
    const expected = Buffer.from(sig, 'base64');
    expect(decodeHexOrBase64(sig, 64)).toEqual(expected);
    expect(decodeHexOrBase64(sig.slice(0, 86), 64)).toEqual(expected);
    expect(decodeHexOrBase64(expected.toString('hex'), 64)).toEqual(expected);
    expect(decodeHexOrBase64(sig.replace('+', '-'), 64)).toBeNull();
  });

  it('33-byte pubkey of §15.2 as 66 hex and as 44 base64', () => {
    const pk = '00bac6e71efd7dfa4a83c98ed24f254ab2c267f9ccdb172a5280a0444ad24e89cc';
    expect(decodeHexOrBase64(pk, 33)?.toString('hex')).toBe(pk);
    expect(decodeHexOrBase64(Buffer.from(pk, 'hex').toString('base64'), 33)?.toString('hex')).toBe(pk);
    expect(decodeHexOrBase64(pk.slice(0, 64), 33)).toBeNull();
  });

  it('empty string is rejected', () => {
    expect(decodeHexOrBase64('', 16)).toBeNull();
  });
});

describe('isHex / decodeHex / encodeBase64', () => {
  it('isHex checks exact length and alphabet', () => {
    expect(isHex('0aF9', 4)).toBe(true);
    expect(isHex('0aF9', 3)).toBe(false);
    expect(isHex('0aG9', 4)).toBe(false);
    expect(isHex('', 0)).toBe(true);
  });

  it('decodeHex is strict where Buffer.from(…, "hex") is not', () => {
    expect(decodeHex('00ff')?.toString('hex')).toBe('00ff');
    expect(decodeHex('00f')).toBeNull();
    expect(decodeHex('00fz')).toBeNull();
  });

  it('encodeBase64 pads', () => {
    expect(encodeBase64(Buffer.from('fake sig'))).toBe('ZmFrZSBzaWc=');
    const padded = Buffer.concat([Buffer.from('fake sig'), Buffer.alloc(56)]);
    expect(encodeBase64(padded)).toBe(`ZmFrZSBzaWc${'A'.repeat(75)}==`);
  });
});
