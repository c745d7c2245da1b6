import { createHash, randomBytes } from 'node:crypto';

/** 18 random bytes: 144 bits, 24 characters of base64url (no padding). */
const CODE_BYTES = 18;
const CODE = /^[A-Za-z0-9_-]{24}$/;

/** A new invite code: unguessable and safe in a URL path as it is. */
export function newInviteCode(): string {
  return randomBytes(CODE_BYTES).toString('base64url');
}

/** Whether `code` could be an invite code at all (anything else names nothing: 404 without a lookup). */
export function isInviteCode(code: string): boolean {
  return CODE.test(code);
}

/** What the database keeps instead of the code. */
export function inviteCodeHash(code: string): Buffer {
  return createHash('sha256').update(code, 'utf8').digest();
}

const INVITE_PATH = /^(\/invite\/)[^/?#]*/;

/** A request URL fit for a log line: an invite page's code replaced by `:code`. */
export function redactInviteCode(url: string): string {
  return url.replace(INVITE_PATH, '$1:code');
}
