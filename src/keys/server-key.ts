import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { x25519PublicKey } from '../crypto/x25519';
import { OperatorError } from '../common/operator-error';

/**
 * The server's identity: a raw 32-byte X25519 private key, the same file format as the reference
 * server's `key_x25519`, so an operator can bring an existing key. Its public key is what clients
 * get in the join URL; it keys onion requests and the blinding factor.
 */
export class ServerKey {
  readonly publicKeyHex: string;

  constructor(
    readonly privateKey: Buffer,
    readonly publicKey: Buffer,
  ) {
    this.publicKeyHex = publicKey.toString('hex');
  }

  /** The internal system user's id: `ff` + the server public key. */
  get systemSessionId(): string {
    return `ff${this.publicKeyHex}`;
  }

  static fromPrivateKey(privateKey: Buffer): ServerKey {
    return new ServerKey(privateKey, Buffer.from(x25519PublicKey(privateKey)));
  }
}

export class KeyFileError extends OperatorError {}

/** Reads the key file, creating it (mode 0600) on first start. */
export function loadOrCreateServerKey(file: string): { key: ServerKey; created: boolean } {
  let created = false;
  if (!fs.existsSync(file)) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, randomBytes(32), { flag: 'wx', mode: 0o600 });
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new KeyFileError(`cannot create the server key ${file}: ${(err as Error).message}`);
      }
    }
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new KeyFileError(`cannot read the server key ${file}: ${(err as Error).message}`);
  }
  if (bytes.length !== 32) {
    throw new KeyFileError(`the server key ${file} must hold exactly 32 raw bytes (it holds ${bytes.length})`);
  }
  return { key: ServerKey.fromPrivateKey(bytes), created };
}
