import {
  ed25519KeyPairFromSeed,
  ed25519PkToX25519,
  initCrypto,
  isValidEd25519Point,
  signEd25519,
  sodium,
  verifyEd25519,
} from '../../../src/crypto';
import { hex, utf8 } from './helpers';

beforeAll(initCrypto);

const AUTH_EXAMPLE_ED_PK = hex('bac6e71efd7dfa4a83c98ed24f254ab2c267f9ccdb172a5280a0444ad24e89cc');
const AUTH_EXAMPLE_BLINDED_PK = hex('98932d4bccbe595a8789d7eb1629cefc483a0eaddc7e20e8fe5c771efafd9af5');
const ORDER_8_POINT = hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');
const ALL_ZERO = Buffer.alloc(32);

describe('isValidEd25519Point (§15.3)', () => {
  it('accepts real unblinded and blinded keys', () => {
    expect(isValidEd25519Point(AUTH_EXAMPLE_ED_PK)).toBe(true);
    expect(isValidEd25519Point(AUTH_EXAMPLE_BLINDED_PK)).toBe(true);
  });

  it('rejects the two analyst examples', () => {
    expect(isValidEd25519Point(hex('f34714e3ed656104018f7c3cef75cd053b93ee894c293d0ff53a432a6112f561'))).toBe(false);
    expect(isValidEd25519Point(hex('dc9acc8650a07b8ecf077c40f69902e3f4d91181d83089af7dfd5c632e15f99e'))).toBe(false);
  });

  it('the analyst examples are the auth-example key plus the order-8 point and plus the all-zero encoding', () => {
    const s = sodium();
    expect(Buffer.from(s.crypto_core_ed25519_add(AUTH_EXAMPLE_ED_PK, ORDER_8_POINT)).toString('hex')).toBe(
      'f34714e3ed656104018f7c3cef75cd053b93ee894c293d0ff53a432a6112f561',
    );
    expect(Buffer.from(s.crypto_core_ed25519_add(AUTH_EXAMPLE_ED_PK, ALL_ZERO)).toString('hex')).toBe(
      'dc9acc8650a07b8ecf077c40f69902e3f4d91181d83089af7dfd5c632e15f99e',
    );
  });

  it('rejects a valid blinded key with the order-8 point added (test_small_subgroups)', () => {
    const tainted = Buffer.from(sodium().crypto_core_ed25519_add(AUTH_EXAMPLE_BLINDED_PK, ORDER_8_POINT));
    expect(tainted).not.toEqual(AUTH_EXAMPLE_BLINDED_PK);
    expect(isValidEd25519Point(tainted)).toBe(false);
  });

  it('rejects small-order points themselves, the identity and non-canonical encodings', () => {
    expect(isValidEd25519Point(ORDER_8_POINT)).toBe(false);
    expect(isValidEd25519Point(ALL_ZERO)).toBe(false);
    expect(isValidEd25519Point(hex('0100000000000000000000000000000000000000000000000000000000000000'))).toBe(false);
    // y = p (non-canonical encoding of y = 0).
    expect(isValidEd25519Point(hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'))).toBe(false);
  });

  it('rejects wrong lengths without throwing', () => {
    expect(isValidEd25519Point(Buffer.alloc(31, 1))).toBe(false);
    expect(isValidEd25519Point(Buffer.concat([AUTH_EXAMPLE_ED_PK, Buffer.alloc(1)]))).toBe(false);
  });
});

describe('verifyEd25519', () => {
  const seed = hex('c010d89eccbaf5d1c6d19df766c6eedf965d4a28a56f87c9fc819edb59896dd9');

  it('verifies an ordinary signature and rejects a changed message', () => {
    const sig = signEd25519(utf8('hello'), seed);
    expect(verifyEd25519(sig, utf8('hello'), AUTH_EXAMPLE_ED_PK)).toBe(true);
    expect(verifyEd25519(sig, utf8('hellp'), AUTH_EXAMPLE_ED_PK)).toBe(false);
  });

  it('returns false instead of throwing on bad lengths and keys', () => {
    const sig = signEd25519(utf8('hello'), seed);
    expect(verifyEd25519(sig.subarray(0, 63), utf8('hello'), AUTH_EXAMPLE_ED_PK)).toBe(false);
    expect(verifyEd25519(Buffer.concat([sig, Buffer.alloc(1)]), utf8('hello'), AUTH_EXAMPLE_ED_PK)).toBe(false);
    expect(verifyEd25519(sig, utf8('hello'), AUTH_EXAMPLE_ED_PK.subarray(0, 31))).toBe(false);
    expect(verifyEd25519(sig, utf8('hello'), ALL_ZERO)).toBe(false);
    expect(verifyEd25519(sig, utf8('hello'), ORDER_8_POINT)).toBe(false);
    expect(verifyEd25519(Buffer.alloc(64), utf8(''), ALL_ZERO)).toBe(false);
  });
});

describe('ed25519PkToX25519', () => {
  it('maps the auth-example key to its 05 key', () => {
    expect(ed25519PkToX25519(AUTH_EXAMPLE_ED_PK)?.toString('hex')).toBe(
      '88672ccb97f40bb57238989226cf429b575ba355443f47bc76c5ab144a96c65b',
    );
  });

  it('returns null for wrong lengths and keys libsodium refuses', () => {
    expect(ed25519PkToX25519(Buffer.alloc(31))).toBeNull();
    expect(ed25519PkToX25519(ORDER_8_POINT)).toBeNull();
    expect(ed25519PkToX25519(hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'))).toBeNull();
  });

  it('ed25519KeyPairFromSeed rejects a seed of the wrong length', () => {
    expect(() => ed25519KeyPairFromSeed(Buffer.alloc(31))).toThrow(/32 bytes/);
  });
});
