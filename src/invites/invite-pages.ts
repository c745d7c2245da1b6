import { Room } from '../rooms/room.entity';
import { esc, page, SECURITY_HEADERS } from '../web/html';

/** The invite pages post their form to themselves; nothing else changes from the other pages' policy. */
export const INVITE_PAGE_HEADERS: Record<string, string> = {
  ...SECURITY_HEADERS,
  'content-security-policy': SECURITY_HEADERS['content-security-policy'].replace("form-action 'none'", "form-action 'self'"),
  // The address holds the code: no caches, no history of it anywhere but the browser's own.
  'cache-control': 'no-store',
};

/** A room's name, description and image, as the invite pages open. */
function roomHeader(room: Room): string {
  const image = room.image === null ? '' : `<img class="room-image" src="/r/${encodeURIComponent(room.token)}/image" alt="" width="96" height="96">\n`;
  return `${image}<h1>${esc(room.name)}</h1>
${room.description ? `<p>${esc(room.description)}</p>` : ''}`;
}

/** The form: one field for the person's Session ID; posted to this same address. */
export function invitePage(room: Room, error?: string, value = ''): string {
  return page(
    `Invitation to ${room.name}`,
    `<p class="meta">You are invited to a Session community:</p>
${roomHeader(room)}
<form method="post">
<label for="session_id">Your Session ID</label>
<p class="meta">In Session, open Settings and copy your Account ID (it starts with 05).</p>
${error ? `<p class="error" role="alert">${esc(error)}</p>\n` : ''}<input id="session_id" name="session_id" type="text" required maxlength="200" autocomplete="off" autocapitalize="off" spellcheck="false" placeholder="05…" value="${esc(value)}">
<button type="submit">Accept the invitation</button>
</form>`,
  );
}

/** After a redemption: the join URL and its QR code. */
export function redeemedPage(room: Room, joinUrl: string): string {
  return page(
    `Welcome to ${room.name}`,
    `${roomHeader(room)}
<p class="ok" role="status">You are in. Join in Session with this link (under <em>Join Community</em>) or scan the code:</p>
<code class="url" id="join-url">${esc(joinUrl)}</code>
<img class="qr large" src="/r/${encodeURIComponent(room.token)}/invite.png" alt="QR code to join ${esc(room.name)}" width="256" height="256">`,
  );
}

/** A refusal: what happened, and what to do about it. */
export function refusalPage(title: string, text: string): string {
  return page(title, `<h1>${esc(title)}</h1>\n<p>${esc(text)}</p>`);
}
