import { REFERENCE_TABLES } from './reference-schema';
import { PageKey, Value } from './reference-source';

/** A column naming a row of another table, and what to do when the reference lacks that row. */
export interface Reference {
  column: string;
  table: string;
  /** `skip`: the row is not imported (counted as skipped); `null`: the column is cleared. */
  missing: 'skip' | 'null';
}

export type SourceRow = Record<string, Value>;

/** How one reference table becomes rows of this server's table of the same name. */
export interface TableStep {
  table: string;
  /** Read from the reference and written here, in this order. */
  columns: readonly string[];
  key: PageKey;
  /** SQLite keeps booleans as 0/1. */
  booleans: readonly string[];
  /** User ids: the reference's system user becomes this server's (id 0). */
  users: readonly string[];
  refs: readonly Reference[];
  /** The identity column whose sequence continues after the imported ids. */
  identity?: string;
  /** Rows per transaction (default: the command's --batch-rows). */
  batchRows?: number;
  /** Adjusts a row in place; false leaves it out (counted as merged, not skipped). */
  transform?(row: SourceRow, ctx: PlanContext): boolean | void;
}

export interface PlanContext {
  /** The reference's `ff…` system user id, if it has one. */
  systemUserId: number | null;
}

const id: PageKey = { columns: ['id'] };
const physical: PageKey = 'physical';

function step(table: string, s: Omit<TableStep, 'table' | 'columns'> & { columns?: readonly string[] }): TableStep {
  return { table, columns: s.columns ?? REFERENCE_TABLES[table], ...s };
}

/**
 * Every reference table, in an order that has each row's references in place before it: rooms get
 * their image once the files are in (rooms and files name each other).
 */
export const IMPORT_PLAN: readonly TableStep[] = [
  step('users', {
    key: id,
    identity: 'id',
    booleans: ['banned', 'moderator', 'admin', 'visible_mod'],
    users: [],
    refs: [],
    // The reference's own system user is this server's system user (same key, id 0).
    transform: (row, ctx) => row.id !== ctx.systemUserId,
  }),
  step('rooms', {
    key: id,
    identity: 'id',
    booleans: ['read', 'accessible', 'write', 'upload'],
    users: [],
    refs: [],
    transform: (row) => {
      row.image = null; // set by the room-images step, once the files are in
    },
  }),
  step('messages', {
    // seqno is generated here: the larger of seqno_data and seqno_reactions, as the reference keeps it.
    columns: REFERENCE_TABLES.messages.filter((c) => c !== 'seqno'),
    key: id,
    identity: 'id',
    booleans: ['filtered', 'whisper_mods'],
    users: ['user', 'whisper'],
    // A whisper whose recipient is gone is left out: imported without it, it would be public.
    refs: [
      { column: 'room', table: 'rooms', missing: 'skip' },
      { column: 'user', table: 'users', missing: 'skip' },
      { column: 'whisper', table: 'users', missing: 'skip' },
    ],
    transform: (row) => {
      // The reference keeps the content without its Session padding, and the padded length.
      if (row.data === null) {
        row.data_size = null;
        return;
      }
      const data = bytes(row.data);
      row.data = sessionPadded(data, typeof row.data_size === 'number' ? row.data_size : data.length);
      row.data_size = (row.data as Buffer).length;
    },
  }),
  step('message_history', {
    key: physical,
    booleans: [],
    users: [],
    refs: [{ column: 'message', table: 'messages', missing: 'skip' }],
    transform: (row) => {
      row.data = historyBytes(row.data);
    },
  }),
  step('reactions', { key: id, identity: 'id', booleans: [], users: [], refs: [{ column: 'message', table: 'messages', missing: 'skip' }] }),
  step('user_reactions', {
    key: { columns: ['reaction', 'user'] },
    booleans: [],
    users: ['user'],
    refs: [
      { column: 'reaction', table: 'reactions', missing: 'skip' },
      { column: 'user', table: 'users', missing: 'skip' },
    ],
  }),
  step('pinned_messages', {
    key: { columns: ['room', 'message'] },
    booleans: [],
    users: ['pinned_by'],
    refs: [
      { column: 'room', table: 'rooms', missing: 'skip' },
      { column: 'message', table: 'messages', missing: 'skip' },
      { column: 'pinned_by', table: 'users', missing: 'skip' },
    ],
  }),
  step('files', {
    key: id,
    identity: 'id',
    batchRows: 100,
    booleans: [],
    users: ['uploader'],
    refs: [
      { column: 'room', table: 'rooms', missing: 'null' },
      { column: 'uploader', table: 'users', missing: 'null' },
      { column: 'message', table: 'messages', missing: 'null' },
    ],
  }),
  step('room_users', {
    key: { columns: ['room', 'user'] },
    booleans: [],
    users: ['user'],
    refs: [
      { column: 'room', table: 'rooms', missing: 'skip' },
      { column: 'user', table: 'users', missing: 'skip' },
    ],
  }),
  step('user_permission_overrides', {
    key: { columns: ['room', 'user'] },
    booleans: ['banned', 'read', 'accessible', 'write', 'upload', 'moderator', 'admin', 'visible_mod'],
    users: ['user'],
    refs: [
      { column: 'room', table: 'rooms', missing: 'skip' },
      { column: 'user', table: 'users', missing: 'skip' },
    ],
  }),
  step('user_permission_futures', {
    key: physical,
    booleans: ['read', 'write', 'upload'],
    users: ['user'],
    refs: [
      { column: 'room', table: 'rooms', missing: 'skip' },
      { column: 'user', table: 'users', missing: 'skip' },
    ],
  }),
  step('user_ban_futures', {
    key: physical,
    booleans: ['banned'],
    users: ['user'],
    refs: [
      { column: 'room', table: 'rooms', missing: 'skip' }, // null: a global ban change
      { column: 'user', table: 'users', missing: 'skip' },
    ],
  }),
  step('needs_blinding', {
    key: { columns: ['blinded_abs'] },
    booleans: [],
    users: ['user'],
    refs: [{ column: 'user', table: 'users', missing: 'skip' }],
  }),
  step('user_request_nonces', {
    key: physical,
    booleans: [],
    users: ['user'],
    refs: [{ column: 'user', table: 'users', missing: 'skip' }],
  }),
  step('inbox', {
    key: id,
    identity: 'id',
    booleans: [],
    users: ['recipient', 'sender'],
    refs: [
      { column: 'recipient', table: 'users', missing: 'skip' },
      { column: 'sender', table: 'users', missing: 'skip' },
    ],
  }),
];

/** Applies a step's conversions to one reference row; false: the row is merged away. */
export function convertRow(s: TableStep, row: SourceRow, ctx: PlanContext): boolean {
  for (const c of s.booleans) if (typeof row[c] === 'number') row[c] = row[c] !== 0;
  for (const c of s.users) if (ctx.systemUserId !== null && row[c] === ctx.systemUserId) row[c] = 0;
  return s.transform?.(row, ctx) !== false;
}

/** Session padding as the clients add it: 0x80, then zeros up to the padded length. */
export function sessionPadded(data: Buffer, size: number): Buffer {
  if (size <= data.length) return data;
  const out = Buffer.alloc(size);
  data.copy(out);
  out[data.length] = 0x80;
  return out;
}

function bytes(v: Value): Buffer {
  if (Buffer.isBuffer(v)) return v;
  return Buffer.from(String(v), 'utf8');
}

/**
 * History content: bytes in SQLite; in the PostgreSQL reference the column is TEXT, and bytea
 * written into it arrives in its text form: `\x…` (hex, PostgreSQL's default since 9.0) or, on a
 * server with `bytea_output = escape`, printable ASCII as itself, `\\` and `\ooo` (octal) for
 * the rest. A text that is neither is taken as UTF-8.
 */
export function historyBytes(v: Value): Buffer | null {
  if (v === null) return null;
  if (typeof v !== 'string') return bytes(v);
  if (/^\\x([0-9a-fA-F]{2})*$/.test(v)) return Buffer.from(v.slice(2), 'hex');
  return byteaEscaped(v) ?? bytes(v);
}

/** Decodes bytea's escape format; undefined when `text` cannot be one. */
function byteaEscaped(text: string): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x5c) {
      if (c < 0x20 || c > 0x7e) return undefined; // escape output is printable ASCII only
      out.push(c);
    } else if (text[i + 1] === '\\') {
      out.push(0x5c);
      i += 1;
    } else if (/^[0-3][0-7]{2}$/.test(text.slice(i + 1, i + 4))) {
      out.push(parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      return undefined;
    }
  }
  return Buffer.from(out);
}
