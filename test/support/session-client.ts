import { randomBytes } from 'node:crypto';
import request from 'supertest';
import {
  blindedKeyPair,
  blindedSign,
  ed25519KeyPairFromSeed,
  sessionIdFromEd25519Seed,
  signEd25519,
  signedMessage,
} from '../../src/crypto';

export interface SignOptions {
  method: string;
  /** Path and query exactly as sent on the wire (may hold %-escapes or raw UTF-8). */
  url: string;
  body?: Buffer;
  /** Sign with the unblinded `00` key instead of the blinded `15` key. */
  unblinded?: boolean;
  nonce?: Buffer;
  /** Header text; defaults to the current time in whole seconds. */
  timestamp?: string;
  encoding?: 'base64' | 'base64-unpadded' | 'hex';
}

/**
 * A Session account as the test suite's client: an Ed25519 seed, its `05` Session ID, and the
 * blinded `15` id for one server; signs requests the way the Session desktop does.
 */
export class SessionClient {
  readonly edPublicKey: Buffer;
  readonly sessionId: string;
  readonly blindedId: string;
  private readonly blindedPublicKey: Buffer;

  constructor(
    readonly seed: Buffer,
    readonly serverPk: Buffer,
    /** The client's clock in unix seconds (tests pass the server's ManualClock). */
    private readonly now: () => number = () => Date.now() / 1000,
  ) {
    this.edPublicKey = ed25519KeyPairFromSeed(seed).publicKey;
    this.sessionId = sessionIdFromEd25519Seed(seed);
    this.blindedPublicKey = blindedKeyPair(seed, serverPk).publicKey;
    this.blindedId = `15${this.blindedPublicKey.toString('hex')}`;
  }

  static random(serverPk: Buffer, now?: () => number): SessionClient {
    return new SessionClient(randomBytes(32), serverPk, now);
  }

  /** The id the server knows this client by when it signs blinded (the default) or not. */
  id(unblinded = false): string {
    return unblinded ? this.sessionId : this.blindedId;
  }

  /** The four X-SOGS-* headers for one request. */
  headers(o: SignOptions): Record<string, string> {
    const nonce = o.nonce ?? randomBytes(16);
    const timestamp = o.timestamp ?? String(Math.floor(this.now()));
    const q = o.url.indexOf('?');
    const path = decodePath(q < 0 ? o.url : o.url.slice(0, q));
    const query = q < 0 ? '' : o.url.slice(q + 1);
    const message = signedMessage({
      serverPk: this.serverPk,
      nonce,
      timestamp,
      method: o.method,
      path,
      query,
      body: o.body ?? Buffer.alloc(0),
    });
    const signature = o.unblinded ? signEd25519(message, this.seed) : blindedSign(message, this.seed, this.serverPk);
    const pubkey = Buffer.concat([Buffer.from([o.unblinded ? 0x00 : 0x15]), o.unblinded ? this.edPublicKey : this.blindedPublicKey]);
    const enc = (b: Buffer) =>
      o.encoding === 'hex' ? b.toString('hex') : o.encoding === 'base64-unpadded' ? b.toString('base64').replace(/=+$/, '') : b.toString('base64');
    return {
      'X-SOGS-Pubkey': o.encoding === 'hex' || !o.encoding ? pubkey.toString('hex') : enc(pubkey),
      'X-SOGS-Timestamp': timestamp,
      'X-SOGS-Nonce': enc(nonce),
      'X-SOGS-Signature': enc(signature),
    };
  }
}

/** Percent-escapes decoded to UTF-8 text, as the client signs them (independent of the server's code). */
function decodePath(path: string): string {
  return decodeURIComponent(path.replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
}

/**
 * A signed request through supertest. `json` bodies are serialised once and the exact bytes are
 * both signed and sent.
 */
export function signed(
  server: Parameters<typeof request>[0],
  client: SessionClient | null,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  opts: { json?: unknown; body?: Buffer; contentType?: string } & Partial<SignOptions> = {},
): request.Test {
  const body = opts.json !== undefined ? Buffer.from(JSON.stringify(opts.json)) : opts.body;
  let req = request(server)[method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](url);
  if (client) req = req.set(client.headers({ ...opts, method, url, body }));
  if (body !== undefined) {
    const type = opts.contentType ?? (opts.json !== undefined ? 'application/json' : 'application/octet-stream');
    // superagent would re-serialise a Buffer labelled JSON; a string goes out byte for byte.
    req = req.set('content-type', type).send(type.includes('json') ? body.toString('utf8') : body);
  }
  return req;
}
