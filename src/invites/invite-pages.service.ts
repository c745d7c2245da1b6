import { Injectable } from '@nestjs/common';
import { BadRequest, NotFound } from '../common/errors';
import { Room } from '../rooms/room.entity';
import { RoomsService } from '../rooms/rooms.service';
import { invitePage, redeemedPage, refusalPage } from './invite-pages';
import { InviteRateLimiter } from './invite-rate-limit';
import { InviteBanned, InviteGone, InvitesService } from './invites.service';

/** The largest form the invite page takes: one Session ID (66 characters) with room to spare. */
export const INVITE_FORM_LIMIT = 4096;

export interface PageResult {
  status: number;
  html: string;
}

const GONE: Record<InviteGone['reason'], [string, string]> = {
  revoked: ['Invitation withdrawn', 'This invitation has been revoked. Ask whoever sent it for a new one.'],
  expired: ['Invitation expired', 'This invitation is no longer valid. Ask whoever sent it for a new one.'],
  used_up: ['Invitation already used', 'This invitation has been used as many times as it allows. Ask whoever sent it for a new one.'],
};

/**
 * The browser side of invites: `GET /invite/{code}` shows the room and a form for a Session ID,
 * `POST` redeems it and shows the join URL and QR code. Every refusal is a page of its own with
 * its status: 404 unknown code, 410 revoked, expired or used up, 400 not a Session ID, 403 banned,
 * 429 too many requests from one address.
 */
@Injectable()
export class InvitePagesService {
  constructor(
    private readonly invites: InvitesService,
    private readonly rooms: RoomsService,
    private readonly limiter: InviteRateLimiter,
  ) {}

  async view(code: string, address: string): Promise<PageResult> {
    if (!(await this.limiter.take(address))) return tooMany();
    try {
      const { room } = await this.invites.open(code);
      return { status: 200, html: invitePage(room) };
    } catch (err) {
      return refusal(err);
    }
  }

  async submit(code: string, address: string, body: Buffer, contentType: string | undefined): Promise<PageResult> {
    if (!(await this.limiter.take(address))) return tooMany();
    let room: Room | undefined;
    const sessionId = formField(body, contentType, 'session_id');
    try {
      room = (await this.invites.open(code)).room;
      if (!sessionId) throw new BadRequest('Paste your Session ID into the field first.');
      const redeemed = await this.invites.redeem(code, sessionId);
      return { status: 200, html: redeemedPage(redeemed.room, this.rooms.joinUrl(redeemed.room)) };
    } catch (err) {
      if (room && err instanceof BadRequest) return { status: 400, html: invitePage(room, err.message, (sessionId ?? '').slice(0, 200)) };
      return refusal(err);
    }
  }
}

/** One field of an `application/x-www-form-urlencoded` body; undefined for any other body. */
function formField(body: Buffer, contentType: string | undefined, name: string): string | undefined {
  if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) return undefined;
  return new URLSearchParams(body.toString('utf8')).get(name)?.trim() || undefined;
}

function tooMany(): PageResult {
  return { status: 429, html: refusalPage('Too many attempts', 'Too many requests came from your address. Wait a few minutes, then try again.') };
}

function refusal(err: unknown): PageResult {
  if (err instanceof NotFound) {
    return { status: 404, html: refusalPage('No such invitation', 'This invitation link is not valid. Check that you copied all of it, or ask for a new one.') };
  }
  if (err instanceof InviteGone) return { status: 410, html: refusalPage(...GONE[err.reason]) };
  if (err instanceof InviteBanned) return { status: 403, html: refusalPage('Cannot join', 'This Session ID is banned from this room.') };
  throw err;
}
