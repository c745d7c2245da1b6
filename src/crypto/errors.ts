/** Raised when a crypto function is used before `initCrypto()` has finished. */
export class CryptoNotReadyError extends Error {
  constructor() {
    super('crypto used before initCrypto() resolved: await initCrypto() once at startup');
    this.name = 'CryptoNotReadyError';
  }
}

/**
 * Raised for input that cannot be processed at all (wrong length, key outside the group). Functions
 * that judge untrusted input return `null`/`false` instead; this is for programming errors and for
 * the few places where the fixed API has no room for a "no result" value.
 */
export class CryptoInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CryptoInputError';
  }
}
