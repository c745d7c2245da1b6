import { blake2b, hmacSha256, initCrypto, sha512 } from '../../../src/crypto';
import { hex, utf8 } from './helpers';

beforeAll(initCrypto);

describe('blake2b', () => {
  it('BLAKE2b-512 of the §15.1 fake server pubkey', () => {
    expect(blake2b(hex('6a32c7b491f4199dd1260a4cc60ae51c6bd71dad939cc521e738409f53f943be'), 64).toString('hex')).toBe(
      'f496a75f394e07e5a2bad3186c282dee7d1469ca8a267b66402e3d548eef10ad97cdc4a7df8f7dc10e76fed61d3543f25cda776928d954d2ddddd42d1d1a6d55',
    );
  });

  it('HBODY of the §15.2 POST body {"a":1}', () => {
    expect(blake2b(utf8('{"a":1}'), 64).toString('hex')).toBe(
      'f5bfc4e425382a0c72d618c6ab1132cb4ea3ddb54e0109cffb1b917c7a06b6b1396adfd7d88f921ce08643538c57ca532fcace89d0175f333a1f5ab016c72949',
    );
  });

  it('BLAKE2b-512 of the clients §5.1 body "hello 🎂" (UTF-8)', () => {
    expect(blake2b(utf8('hello 🎂'), 64).toString('hex')).toBe(
      'ebd4b1e09185d583c287c21772fd08dc7eff2b66789851b3d39c1794ab796c1d57e17d56394c173f76ac988e0bdb5db06a219b0255d67bd30fa7bb0efca2186b',
    );
  });

  it('keyed BLAKE2b (values from Python hashlib)', () => {
    const key = Buffer.alloc(16, 'k');
    expect(blake2b(utf8('abc'), 64, key).toString('hex')).toBe(
      '7e96fe677eae480b195b97f4290f4a457398a134a4b17411129318045bd50d59d40673a0a5ff29f1621af7d67f126d6db1ee50ca3b154d6a56db542f97429172',
    );
    expect(blake2b(utf8('abc'), 32, key).toString('hex')).toBe(
      '71e070c3cfad95880653b4bcb41a0130b74482daa9696bbc81749e314c9a1a64',
    );
  });

  it('rejects unsupported output lengths and over-long keys', () => {
    expect(() => blake2b(utf8('x'), 16 as 32)).toThrow(/output length/);
    expect(() => blake2b(utf8('x'), 32, Buffer.alloc(65))).toThrow(/at most 64/);
  });
});

describe('sha512 / hmacSha256', () => {
  it('SHA-512("abc") (FIPS 180-2)', () => {
    expect(sha512(utf8('abc')).toString('hex')).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
  });

  it('HMAC-SHA256 RFC 4231 test case 2', () => {
    expect(hmacSha256(utf8('Jefe'), utf8('what do ya want for nothing?')).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});
