import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Clock } from '../common/clock';
import { BadRequest, Forbidden, TooEarly, Unauthorized } from '../common/errors';
import { ed25519PkToX25519, isValidEd25519Point, signedMessage, verifyEd25519 } from '../crypto';
import { ServerKey } from '../keys/server-key';
import { AuthFailure, Metrics } from '../metrics/metrics';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { readAuthHeaders } from './auth-headers';
import { NonceRepository } from './nonce.repository';
import { signedTarget } from './request-target';

/** ±24 h, inclusive: clients' clocks drift, replays are stopped by the nonce. */
export const TIMESTAMP_WINDOW = 86400;

export interface SignedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Exact body bytes; empty or undefined when there is none. */
  body: Buffer | undefined;
  /** BLAKE2b-512 of a streamed body (uploads), which is not in memory. */
  bodyHash?: Buffer;
}

/**
 * Verifies X-SOGS-* request signatures (§2.4). The order decides which error a client sees:
 * malformed headers 400 → clock 425 → global ban 403 → reused nonce 425 → signature 401. The nonce
 * is spent before the signature is checked, so a forged request still burns it. A user row is
 * created only for a correctly signed request.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly nonces: NonceRepository,
    private readonly serverKey: ServerKey,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /** The signing user, or null for a request without auth headers. */
  async authenticate(req: SignedRequest): Promise<User | null> {
    let h: ReturnType<typeof readAuthHeaders>;
    try {
      h = readAuthHeaders(req.headers);
    } catch (err) {
      throw this.failed('malformed', err as Error);
    }
    if (!h) return null;
    if (!isValidEd25519Point(h.key)) throw this.failed('malformed', new BadRequest('Invalid authentication: given X-SOGS-Pubkey is not a valid Ed25519 pubkey'));
    let sessionId: string;
    if (h.prefix === '15') {
      sessionId = `15${h.key.toString('hex')}`;
    } else {
      if (this.config.requireBlindKeys) throw this.failed('unblinded', new BadRequest('Invalid authentication: this server requires the use of blinded ids'));
      const x = ed25519PkToX25519(h.key);
      if (!x) throw this.failed('malformed', new BadRequest('Invalid authentication: given X-SOGS-Pubkey is not a valid Ed25519 pubkey'));
      sessionId = `05${x.toString('hex')}`;
    }

    const now = this.clock.now();
    if (Math.abs(now - h.timestamp) > TIMESTAMP_WINDOW) {
      throw this.failed('clock', new TooEarly('Invalid authentication: X-SOGS-Timestamp is too far from current time'));
    }
    // Remembered for as long as a request with this timestamp can be accepted: a timestamp ahead
    // of the clock stays acceptable for longer than 24 hours from now.
    const { user: known, fresh } = await this.nonces.recordFor(sessionId, h.nonce, h.timestamp + TIMESTAMP_WINDOW);
    if (known?.banned) throw this.failed('banned', new Forbidden('Banned'));
    if (!fresh) throw this.failed('nonce_reused', new TooEarly('Invalid authentication: X-SOGS-Nonce cannot be reused'));
    const target = signedTarget(req.url);
    const body = req.body ?? Buffer.alloc(0);
    const valid =
      target !== null &&
      verifyEd25519(
        h.signature,
        signedMessage({ serverPk: this.serverKey.publicKey, nonce: h.nonce, timestamp: h.timestampText, method: req.method, ...target, body, bodyHash: req.bodyHash }),
        h.key,
      );
    if (!valid) throw this.failed('signature', new Unauthorized('Invalid authentication: X-SOGS-Signature verification failed'));

    if (known) {
      await this.users.touch(known);
      return known;
    }
    // First request: creation may carry over a ban given to the unblinded id (§3.5).
    const user = await this.users.getOrCreate(sessionId);
    if (user.banned) throw this.failed('banned', new Forbidden('Banned'));
    return user;
  }

  /** Counts the refusal (by reason only) and returns the error to throw. */
  failed(reason: AuthFailure, err: Error): Error {
    this.metrics.authFailures.inc({ reason });
    return err;
  }
}
