// The ESM entry of libsodium-wrappers-sumo 0.8.x does not load under Node 20, so take the CJS one.
import sodiumModule = require('libsodium-wrappers-sumo');
import { CryptoNotReadyError } from './errors';

export type Sodium = typeof sodiumModule;

let ready = false;

/** Loads the libsodium WebAssembly module. Call (and await) once before any other crypto call. */
export async function initCrypto(): Promise<void> {
  await sodiumModule.ready;
  ready = true;
}

export function isCryptoReady(): boolean {
  return ready;
}

/**
 * The loaded libsodium instance. Throws instead of returning a half-initialised module, whose
 * functions would fail later with much less helpful errors.
 */
export function sodium(): Sodium {
  if (!ready) throw new CryptoNotReadyError();
  return sodiumModule;
}
