import { Message } from './message.entity';
import { Reaction } from './reaction.entity';

/** A message row as the repository reads it for output (data null: deleted). */
export interface MessageRow extends Pick<Message, 'id' | 'posted' | 'edited' | 'seqno' | 'data' | 'signature' | 'whisper_mods'> {
  /** The author's id. */
  session_id: string;
  /** Session id of the whisper's recipient, when directed at one user. */
  whisper_to: string | null;
  /** Only in `since` with `t=r`: nothing but the reactions changed after the caller's seqno. */
  reaction_only?: boolean;
}

export interface ReactionSummary {
  index: number;
  count: number;
  /** The earliest reactors; the key is left out when the caller asked for none (§7.6, §16.20). */
  reactors?: string[];
  you?: true;
}

export type Reactions = Record<string, ReactionSummary>;

export interface MessageJson {
  id: number;
  session_id?: string;
  posted?: number;
  seqno: number;
  data?: string | null;
  signature?: string;
  edited?: number;
  deleted?: true;
  whisper?: true;
  whisper_mods?: boolean;
  whisper_to?: string;
  reactions?: Reactions;
  /** Only in the poster's own POST response, when the post was silently filtered. */
  filtered?: true;
}

/** One reaction of a message as loaded: rows come in `index` order per message. */
export interface ReactionRow extends Pick<Reaction, 'message' | 'reaction'> {
  count: number;
  reactors: string[];
  you: boolean | null;
}

/**
 * Groups reaction rows by message; `reactors` is how many reactors were asked for. Objects without
 * a prototype, so that a reaction spelled `__proto__` is an ordinary key.
 */
export function groupReactions(rows: ReactionRow[], reactors: number): Map<number, Reactions> {
  const byMessage = new Map<number, Reactions>();
  for (const r of rows) {
    let reactions = byMessage.get(r.message);
    if (!reactions) byMessage.set(r.message, (reactions = Object.create(null) as Reactions));
    const summary: ReactionSummary = { index: Object.keys(reactions).length, count: r.count };
    if (reactors > 0) summary.reactors = r.reactors;
    if (r.you) summary.you = true;
    reactions[r.reaction] = summary;
  }
  return byMessage;
}

/**
 * The message object of §7.1: a full message, a tombstone (data null, deleted, no signature or
 * reactions), or a reaction-only update `{id, seqno, reactions}`.
 */
export function toMessageJson(row: MessageRow, reactions: Reactions | undefined): MessageJson {
  if (row.reaction_only) return { id: row.id, seqno: row.seqno, reactions: reactions ?? {} };
  const m: MessageJson = { id: row.id, session_id: row.session_id, posted: row.posted, seqno: row.seqno };
  if (row.data === null) {
    m.data = null;
    m.deleted = true;
  } else {
    m.data = row.data.toString('base64');
    if (row.signature !== null) m.signature = row.signature.toString('base64');
  }
  if (row.edited !== null) m.edited = row.edited;
  if (row.whisper_to !== null || row.whisper_mods) {
    m.whisper = true;
    m.whisper_mods = row.whisper_mods;
    if (row.whisper_to !== null) m.whisper_to = row.whisper_to;
  }
  if (row.data !== null) m.reactions = reactions ?? {};
  return m;
}
