import { CryptoNotReadyError, blake2b, initCrypto, isCryptoReady, sodium, verifyEd25519 } from '../../../src/crypto';

// Jest gives each test file its own module registry, so nothing has initialised crypto here yet.
describe('sodium readiness', () => {
  it('throws a clear error when used before initCrypto()', () => {
    expect(isCryptoReady()).toBe(false);
    expect(() => sodium()).toThrow(CryptoNotReadyError);
    expect(() => blake2b(Buffer.alloc(1), 32)).toThrow(/initCrypto/);
    // "never throws" is about bad input; calling before init is a programming error and must surface.
    expect(() => verifyEd25519(Buffer.alloc(64), Buffer.alloc(0), Buffer.alloc(32))).toThrow(CryptoNotReadyError);
  });

  it('works after initCrypto() and stays ready on a second call', async () => {
    await initCrypto();
    await initCrypto();
    expect(isCryptoReady()).toBe(true);
    expect(typeof sodium().crypto_sign_verify_detached).toBe('function');
    expect(blake2b(Buffer.alloc(0), 32).toString('hex')).toBe(
      '0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8',
    );
  });
});
