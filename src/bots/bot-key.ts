import { blake2b, ed25519KeyPairFromSeed, Ed25519KeyPair, sessionIdFromKey } from '../crypto';

/** The BLAKE2b key of the reference's filter bot (§7.8); every bot here is derived the same way. */
const DERIVATION_KEY = Buffer.from('sogsfiltering', 'utf8');

export interface BotKey extends Ed25519KeyPair {
  /** The 32-byte Ed25519 seed (what signs). */
  seed: Buffer;
  /** `15` ‖ public key: the id the bot posts under. Its signatures verify as any `15` id's do (plain Ed25519). */
  sessionId: string;
}

/**
 * A bot's Ed25519 key, derived as the reference derives its filter bot's (§7.8): seed =
 * BLAKE2b-256(key "sogsfiltering", name UTF-8 ‖ the server's 32-byte private key). Nothing secret
 * is stored per bot; the same server key and name always give the same identity (after a restore
 * too), and a bot named as a reference filter bot's profile keeps that bot's id.
 */
export function deriveBotKey(serverPrivateKey: Buffer, name: string): BotKey {
  const seed = blake2b(Buffer.concat([Buffer.from(name, 'utf8'), serverPrivateKey]), 32, DERIVATION_KEY);
  const pair = ed25519KeyPairFromSeed(seed);
  return { ...pair, seed, sessionId: sessionIdFromKey('15', pair.publicKey) };
}
