/**
 * What a webhook receives: the event types, and the `data` of each (README "Webhooks" shows the
 * whole body). Session IDs are as the room shows them (blinded `15…` ids on a blinding server);
 * times are unix seconds.
 */
export const WEBHOOK_EVENTS = ['message', 'edit', 'delete', 'reaction', 'moderation', 'room'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** A post (`message`) or its new content (`edit`), with the text the Session content holds. */
export interface MessageEventData {
  room: string;
  id: number;
  seqno: number;
  author: string;
  posted: number;
  edited: number | null;
  /** The message body; null when the content has none (an attachment alone) or is unreadable. */
  text: string | null;
  display_name: string | null;
  attachments: number;
}

export interface DeleteEventData {
  room: string;
  id: number;
  seqno: number;
  author: string;
  /** Who deleted it: the author, a moderator, or the server's own id for an admin command. */
  deleted_by: string;
}

export interface ReactionEventData {
  room: string;
  /** The message reacted to. */
  id: number;
  seqno: number;
  reaction: string;
  user: string;
  action: 'add' | 'remove';
}

/** One entry of the moderation audit log (README "Moderator tools"), with ids in place of row numbers. */
export interface ModerationEventData {
  /** Null for server-wide actions (global bans and roles). */
  room: string | null;
  action: string;
  /** Null for changes the server applied on schedule; the server's `ff…` id for admin commands. */
  actor: string | null;
  target: string | null;
  details: Record<string, unknown>;
}

export interface RoomEventData {
  room: string;
  action: 'created' | 'updated' | 'deleted';
  actor: string | null;
  /** What was set: name, description, default permissions, filters, image id. */
  details: Record<string, unknown>;
}

export type WebhookEventData = MessageEventData | DeleteEventData | ReactionEventData | ModerationEventData | RoomEventData;

/** The JSON body of every delivery; X-SOGS-Signature is the HMAC of exactly these bytes. */
export interface WebhookBody {
  /** The delivery id (also X-SOGS-Delivery): the same on every retry of this event to this webhook. */
  delivery: number;
  event: WebhookEventType;
  /** When the event happened. */
  at: number;
  /** When this attempt was sent, whole seconds (also X-SOGS-Timestamp): refuse old ones to stop replays. */
  timestamp: number;
  /** 1 on the first attempt. */
  attempt: number;
  data: WebhookEventData;
}
