import { RoomInvite } from './room-invite.entity';

/** What an invite grants: read, write and upload (accessible comes with read). */
export type InviteGrant = Pick<RoomInvite, 'read' | 'write' | 'upload'>;

export const GRANTED = ['read', 'write', 'upload'] as const;

/** Letters of `rwu`, each at most once, at least one: what invites are given with (`--grant`, `grant`). */
export const GRANT_LETTERS = /^(?!.*(.).*\1)[rwu]{1,3}$/;

/** `rw` → {read: true, write: true, upload: false}; undefined for anything but GRANT_LETTERS. */
export function parseGrant(letters: string): InviteGrant | undefined {
  if (!GRANT_LETTERS.test(letters)) return undefined;
  return { read: letters.includes('r'), write: letters.includes('w'), upload: letters.includes('u') };
}

/** {read, write, upload} → `rwu` letters, in that order. */
export function grantLetters(g: InviteGrant): string {
  return `${g.read ? 'r' : ''}${g.write ? 'w' : ''}${g.upload ? 'u' : ''}`;
}

/** The default: what a member of a public room has. */
export const FULL_GRANT: InviteGrant = { read: true, write: true, upload: true };
