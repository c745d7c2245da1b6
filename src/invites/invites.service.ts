import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';
import { Clock } from '../common/clock';
import { BadRequest, Forbidden, Gone, NotFound } from '../common/errors';
import { Db } from '../database/db';
import { Sql } from '../database/sql';
import { ModerationAction, ModerationLogRepository } from '../moderation/moderation-log.repository';
import { ModerationRepository } from '../moderation/moderation.repository';
import { PermissionsService } from '../moderation/permissions.service';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { inviteCodeHash, isInviteCode, newInviteCode } from './invite-code';
import { FULL_GRANT, GRANTED, grantLetters, InviteGrant } from './invite-grant';
import { InviteRow, InvitesRepository } from './invites.repository';
import { RoomInvite } from './room-invite.entity';

export interface InviteOptions {
  /** How many people may redeem it (default 1). */
  uses?: number;
  /** Seconds from now until it expires; absent or null: never. */
  expires?: number | null;
  /** Default: read, write and upload. */
  grant?: InviteGrant;
}

/** A new invite, with the only copy of its code the server ever shows. */
export interface CreatedInvite {
  id: number;
  room: string;
  code: string;
  url: string;
  grant: string;
  max_uses: number;
  expires: number | null;
  created: number;
}

/** An invite as the API and CLI list it (never its code). */
export interface InviteJson {
  id: number;
  room: string;
  grant: string;
  uses: number;
  max_uses: number;
  expires: number | null;
  created: number;
  created_by: string | null;
  revoked: number | null;
}

/** Why a code that exists cannot be used any more (410). */
export type InviteGoneReason = 'revoked' | 'expired' | 'used_up';

export class InviteGone extends Gone {
  constructor(readonly reason: InviteGoneReason) {
    super(`This invite ${reason === 'used_up' ? 'has been used up' : reason === 'revoked' ? 'has been revoked' : 'has expired'}`);
  }
}

/** A person refused by the room itself (banned there or everywhere). */
export class InviteBanned extends Forbidden {}

/** What a redemption did. */
export interface Redemption {
  room: Room;
  /** False when the person already had everything it grants (a repeat): no use was counted. */
  counted: boolean;
}

const SESSION_ID = /^05[0-9a-f]{64}$/;

/**
 * Invite codes to rooms (private ones above all): room moderators make, list and revoke them;
 * anyone holding a code gives it a Session ID, which then gets the permissions the invite grants
 * as a per-user override (reaching its blinded id as any role given to a `05` id does, §3.5).
 */
@Injectable()
export class InvitesService {
  constructor(
    private readonly repo: InvitesRepository,
    private readonly users: UsersService,
    private readonly permissions: PermissionsService,
    private readonly overrides: ModerationRepository,
    private readonly log: ModerationLogRepository,
    private readonly db: Db,
    private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /** The link to the invite page of a code. */
  link(code: string): string {
    return `${this.config.baseUrl}/invite/${code}`;
  }

  async create(actor: User, room: Room, opts: InviteOptions = {}): Promise<CreatedInvite> {
    const grant = opts.grant ?? FULL_GRANT;
    const code = newInviteCode();
    const now = this.clock.now();
    const invite = await this.db.transaction(async (tx) => {
      await this.permissions.require(room, actor, 'moderator', tx);
      const created = await this.repo.insert(
        {
          room: room.id,
          code_hash: inviteCodeHash(code),
          ...grant,
          max_uses: opts.uses ?? 1,
          expires: opts.expires == null ? null : now + opts.expires,
          created: now,
          created_by: actor.id,
        },
        tx,
      );
      await this.record(tx, actor.id, 'create_invite', null, room.id, {
        invite: created.id,
        grant: grantLetters(created),
        max_uses: created.max_uses,
        expires: created.expires,
      });
      return created;
    });
    return {
      id: invite.id,
      room: room.token,
      code,
      url: this.link(code),
      grant: grantLetters(invite),
      max_uses: invite.max_uses,
      expires: invite.expires,
      created: invite.created,
    };
  }

  /** Invites of one room, or (null: the admin CLI) of every room, newest first. */
  async list(room: Room | null): Promise<InviteJson[]> {
    return (await this.repo.list({ room: room?.id })).map(inviteJson);
  }

  /** Revokes invite `id` (of `room` when given: the API), as a moderator of its room; 404 for no such invite. */
  async revoke(actor: User, id: number, room: Room | null): Promise<InviteJson> {
    return this.db.transaction(async (tx) => {
      const found = await this.repo.lockById(id, room?.id ?? null, tx);
      if (!found) throw new NotFound(`no such invite: ${id}`);
      await this.permissions.require(found.room, actor, 'moderator', tx);
      if (found.invite.revoked === null) {
        await this.repo.revoke(id, this.clock.now(), tx);
        await this.record(tx, actor.id, 'revoke_invite', null, found.room.id, { invite: id });
      }
      return inviteJson((await this.repo.list({ id }, tx))[0]);
    });
  }

  /** The room of a code that can still be redeemed: 404 for no such code, 410 when revoked, expired or used up. */
  async open(code: string): Promise<{ invite: RoomInvite; room: Room }> {
    const found = isInviteCode(code) ? await this.repo.findByHash(inviteCodeHash(code)) : undefined;
    if (!found) throw new NotFound('No such invite');
    this.checkUsable(found.invite);
    return found;
  }

  /**
   * Gives `sessionId` (a `05` id) what the invite grants, in one transaction with the invite row
   * locked. Only permissions the person has no override for are set (true): nothing they have is
   * taken away, and a moderator's explicit revoke (a mute) stands. A banned person is refused
   * (403) and uses nothing. A person who already holds everything it grants (a second
   * redemption) succeeds without using up another use. Every redemption is in the audit log.
   */
  async redeem(code: string, sessionId: string): Promise<Redemption> {
    const sid = sessionId.trim().toLowerCase();
    if (!SESSION_ID.test(sid)) throw new BadRequest('That is not a Session ID: it starts with 05 and has 66 characters (0-9, a-f)');
    if (!isInviteCode(code)) throw new NotFound('No such invite');
    return this.db.transaction(async (tx) => {
      const found = await this.repo.lockByHash(inviteCodeHash(code), tx);
      if (!found) throw new NotFound('No such invite');
      const { invite, room } = found;
      this.checkUsable(invite);
      const person = await this.users.resolveTarget(sid, tx);
      const theirs = await this.permissions.effective(room, person, tx);
      if (theirs.banned) throw new InviteBanned('This Session ID is banned from this room');
      const override = theirs.moderator ? undefined : await this.overrides.findOverride(room.id, person.id, tx);
      const change = theirs.moderator ? {} : Object.fromEntries(GRANTED.filter((p) => invite[p] && (override?.[p] ?? null) === null).map((p) => [p, true]));
      const counted = Object.keys(change).length > 0;
      if (counted) {
        await this.overrides.upsertOverride(room.id, person.id, change, tx);
        await this.repo.countUse(invite.id, tx);
      }
      await this.record(tx, invite.created_by, 'redeem_invite', person.id, room.id, { invite: invite.id, ...change, counted });
      return { room, counted };
    });
  }

  private checkUsable(invite: RoomInvite): void {
    if (invite.revoked !== null) throw new InviteGone('revoked');
    if (invite.expires !== null && invite.expires <= this.clock.now()) throw new InviteGone('expired');
    if (invite.uses >= invite.max_uses) throw new InviteGone('used_up');
  }

  private async record(tx: Sql, actor: number | null, action: ModerationAction, target: number | null, room: number, details: Record<string, unknown>): Promise<void> {
    await this.log.record({ at: this.clock.now(), actor, action, target, room, details }, tx);
  }
}

function inviteJson(r: InviteRow): InviteJson {
  return {
    id: r.id,
    room: r.room,
    grant: grantLetters(r),
    uses: r.uses,
    max_uses: r.max_uses,
    expires: r.expires,
    created: r.created,
    created_by: r.created_by,
    revoked: r.revoked,
  };
}
