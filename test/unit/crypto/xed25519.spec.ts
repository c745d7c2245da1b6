import { ed25519KeyPairFromSeed, ed25519PkToX25519, initCrypto, x25519ToEd25519Positive } from '../../../src/crypto';
import { randomBytes } from 'node:crypto';
import { BLINDING_TABLE } from './blinding-table';
import { hex } from './helpers';

beforeAll(initCrypto);

describe('x25519ToEd25519Positive', () => {
  it('§15.2: the auth-example session key converts to its Ed25519 key with the sign bit cleared', () => {
    const x = hex('88672ccb97f40bb57238989226cf429b575ba355443f47bc76c5ab144a96c65b');
    expect(x25519ToEd25519Positive(x)?.toString('hex')).toBe(
      'bac6e71efd7dfa4a83c98ed24f254ab2c267f9ccdb172a5280a0444ad24e894c',
    );
  });

  it.each(BLINDING_TABLE.map((r) => [r.edPk, r.sessionId]))('§15.1: Ed25519 %s round-trips through its 05 id up to the sign bit', (edPk, sessionId) => {
    const expected = hex(edPk);
    expected[31] &= 0x7f;
    expect(x25519ToEd25519Positive(hex(sessionId.slice(2)))).toEqual(expected);
  });

  it('inverts libsodium pk_to_curve25519 for random keys (up to the sign bit)', () => {
    for (let i = 0; i < 20; i++) {
      const edPk = ed25519KeyPairFromSeed(randomBytes(32)).publicKey;
      const x = ed25519PkToX25519(edPk)!;
      const back = x25519ToEd25519Positive(x)!;
      expect(back.subarray(0, 31)).toEqual(edPk.subarray(0, 31));
      expect(back[31]).toBe(edPk[31] & 0x7f);
    }
  });

  it('small field values: u = 0 → y = −1, u = 1 → y = 0, u = 3 → y = 1/2', () => {
    const le = (n: bigint) => {
      const b = Buffer.alloc(32);
      for (let i = 0; i < 32; i++) b[i] = Number((n >> BigInt(8 * i)) & 0xffn);
      return b;
    };
    const p = (1n << 255n) - 19n;
    expect(x25519ToEd25519Positive(le(0n))).toEqual(le(p - 1n));
    expect(x25519ToEd25519Positive(le(1n))).toEqual(le(0n));
    expect(x25519ToEd25519Positive(le(3n))).toEqual(le((p + 1n) / 2n));
  });

  it('rejects non-canonical u (≥ p), u = −1 and wrong lengths', () => {
    const p = hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    const pMinus1 = hex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    const pMinus2 = hex('ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    expect(x25519ToEd25519Positive(p)).toBeNull();
    expect(x25519ToEd25519Positive(hex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'))).toBeNull();
    expect(x25519ToEd25519Positive(hex('0900000000000000000000000000000000000000000000000000000000000080'))).toBeNull();
    expect(x25519ToEd25519Positive(pMinus1)).toBeNull();
    expect(x25519ToEd25519Positive(pMinus2)).not.toBeNull();
    expect(x25519ToEd25519Positive(Buffer.alloc(31))).toBeNull();
    expect(x25519ToEd25519Positive(Buffer.alloc(33))).toBeNull();
  });
});
