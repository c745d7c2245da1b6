import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Clock } from '../common/clock';
import { InvalidInput } from '../common/errors';
import { blindedAbs, blindedIdCandidates, parseSessionId } from '../crypto';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { ServerKey } from '../keys/server-key';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly serverKey: ServerKey,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The user with this id, created on first sight. A new blinded user inherits whatever was given
   * to its unblinded id while it waited in needs_blinding; concurrent first requests are safe
   * because only the transaction whose INSERT wins does the migration, the others wait on the
   * unique index and then read the finished row.
   */
  async getOrCreate(sessionId: string): Promise<User> {
    const existing = await this.users.findBySessionId(sessionId);
    if (existing) return existing;
    return this.db.transaction((tx) => this.getOrCreateIn(sessionId, tx));
  }

  /**
   * The user a moderation action by session id applies to. On a blinded server a `05` id is
   * mapped to the blinded user already seen with either sign; when none exists yet the action
   * lands on the `05` user, remembered in needs_blinding until the blinded user first appears.
   */
  async resolveTarget(sid: string, tx?: Sql): Promise<User> {
    if (!tx) return this.db.transaction((t) => this.resolveTarget(sid, t));
    const sessionId = parseSessionId(sid)?.id;
    if (!sessionId) throw new InvalidInput(`invalid Session ID: ${sid}`);
    if (!sessionId.startsWith('05') || !this.config.requireBlindKeys) return this.getOrCreateIn(sessionId, tx);
    const candidates = blindedIdCandidates(sessionId, this.serverKey.publicKey);
    if (!candidates) throw new InvalidInput(`invalid Session ID (not an X25519 key): ${sid}`);
    const blinded = await this.users.findAnyOf([candidates.abs, candidates.neg], tx);
    if (blinded) return blinded;
    const user = await this.getOrCreateIn(sessionId, tx);
    await this.users.addNeedsBlinding(candidates.abs, user.id, tx);
    return user;
  }

  /** Like resolveTarget, but only an existing user: nothing is created or queued. */
  async findTarget(sid: string): Promise<User | undefined> {
    const sessionId = parseSessionId(sid)?.id;
    if (!sessionId) return undefined;
    if (sessionId.startsWith('05') && this.config.requireBlindKeys) {
      const candidates = blindedIdCandidates(sessionId, this.serverKey.publicKey);
      const blinded = candidates && (await this.users.findAnyOf([candidates.abs, candidates.neg]));
      if (blinded) return blinded;
    }
    return this.users.findBySessionId(sessionId);
  }

  private async getOrCreateIn(sessionId: string, tx: Sql): Promise<User> {
    const created = await this.users.insertIfMissing(sessionId, this.clock.now(), tx);
    if (!created) return (await this.users.findBySessionId(sessionId, tx))!;
    if (this.config.requireBlindKeys && sessionId.startsWith('15')) {
      if (await this.users.migrateFromUnblinded(blindedAbs(sessionId), created.id, tx)) {
        return (await this.users.findById(created.id, tx))!;
      }
    }
    return created;
  }

  findBySessionId(sessionId: string): Promise<User | undefined> {
    return this.users.findBySessionId(sessionId);
  }

  /** Marks the user active now, unless that was already recorded within the last minute. */
  async touch(user: User): Promise<void> {
    const now = this.clock.now();
    if (now - user.last_active > 60) await this.users.touch(user.id, now);
  }

  /** The `ff…` system user (id 0, hidden global admin) that admin commands act as. */
  async ensureSystemUser(): Promise<void> {
    await this.users.upsertSystemUser(this.serverKey.systemSessionId, this.clock.now());
  }

  /** Startup task: unblinded users holding roles or bans wait for their blinded id. */
  async queueUnblindedForBlinding(): Promise<number> {
    if (!this.config.requireBlindKeys) return 0;
    let queued = 0;
    for (const u of await this.users.unblindedUsersNeedingBlinding()) {
      const candidates = blindedIdCandidates(u.session_id, this.serverKey.publicKey);
      if (!candidates) continue;
      await this.users.addNeedsBlinding(candidates.abs, u.id);
      queued++;
    }
    return queued;
  }

  /** Users seen in a room (polling or reading) within the last `withinSeconds`, most recent first. */
  activeInRoom(roomId: number, withinSeconds: number, limit: number | null = null) {
    return this.users.listRoomUsers(roomId, this.clock.now() - withinSeconds, limit);
  }
}
