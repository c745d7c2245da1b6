/**
 * A session-pysogs (reference server) database built for tests of `sogs import-pysogs`: the
 * reference's schema (§13) as DDL written here for SQLite and PostgreSQL, one fixture holding a
 * row of every kind the reference keeps, and writers for the database, its uploads directory and
 * its `key_x25519`. Users are real Session accounts (SessionClient) whose blinded ids derive from
 * the fixture's server key, so a test can sign requests as any of them after the import.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import initSqlJs, { SqlValue } from 'sql.js';
import { blindedIdCandidates, blindedSign, initCrypto, x25519PublicKey } from '../../src/crypto';
import { SessionClient } from './session-client';

// ---------------------------------------------------------------------------------------------
// Schema

/** The reference's SQLite schema: tables, keys, defaults and indexes; no views or triggers. */
export const REFERENCE_SQLITE_DDL = `
CREATE TABLE rooms (
  id INTEGER NOT NULL PRIMARY KEY,
  token TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  description TEXT,
  image INTEGER REFERENCES files(id) ON DELETE SET NULL,
  created FLOAT NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
  message_sequence INTEGER NOT NULL DEFAULT 0,
  info_updates INTEGER NOT NULL DEFAULT 0,
  active_users INTEGER NOT NULL DEFAULT 0,
  read BOOLEAN NOT NULL DEFAULT TRUE,
  accessible BOOLEAN NOT NULL DEFAULT TRUE,
  write BOOLEAN NOT NULL DEFAULT TRUE,
  upload BOOLEAN NOT NULL DEFAULT TRUE,
  CHECK (token NOT GLOB '*[^a-zA-Z0-9_-]*')
);
CREATE INDEX rooms_token ON rooms(token);

CREATE TABLE messages (
  id INTEGER NOT NULL PRIMARY KEY,
  room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  "user" INTEGER NOT NULL REFERENCES users(id),
  posted FLOAT NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
  edited FLOAT,
  seqno INTEGER NOT NULL DEFAULT 0,
  seqno_data INTEGER NOT NULL DEFAULT 0,
  seqno_reactions INTEGER NOT NULL DEFAULT 0,
  seqno_creation INTEGER NOT NULL DEFAULT 0,
  data BLOB,
  data_size INTEGER,
  signature BLOB,
  filtered BOOLEAN NOT NULL DEFAULT FALSE,
  whisper INTEGER REFERENCES users(id),
  whisper_mods BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX messages_room ON messages(room, posted);
CREATE INDEX messages_updated ON messages(room, seqno);
CREATE INDEX messages_id ON messages(room, id);

CREATE TABLE message_history (
  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  replaced FLOAT NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
  data TEXT NOT NULL,
  signature BLOB NOT NULL
);
CREATE INDEX message_history_message ON message_history(message);
CREATE INDEX message_history_replaced ON message_history(replaced);

CREATE TABLE pinned_messages (
  room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  pinned_by INTEGER NOT NULL REFERENCES users(id),
  pinned_at FLOAT NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
  PRIMARY KEY (room, message)
);

CREATE TABLE files (
  id INTEGER NOT NULL PRIMARY KEY,
  room INTEGER REFERENCES rooms(id) ON DELETE SET NULL,
  uploader INTEGER REFERENCES users(id),
  message INTEGER REFERENCES messages(id) ON DELETE SET NULL,
  size INTEGER NOT NULL,
  uploaded FLOAT NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
  expiry FLOAT DEFAULT ((julianday('now') - 2440587.5 + 15.0) * 86400.0),
  filename TEXT,
  path TEXT NOT NULL
);
CREATE INDEX files_room ON files(room);
CREATE INDEX files_expiry ON files(expiry);
CREATE INDEX files_message ON files(message);

CREATE TABLE users (
  id INTEGER NOT NULL PRIMARY KEY,
  session_id TEXT NOT NULL UNIQUE,
  created FLOAT NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
  last_active FLOAT NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
  banned BOOLEAN NOT NULL DEFAULT FALSE,
  moderator BOOLEAN NOT NULL DEFAULT FALSE,
  admin BOOLEAN NOT NULL DEFAULT FALSE,
  visible_mod BOOLEAN NOT NULL DEFAULT FALSE,
  CHECK (NOT (banned AND (moderator OR admin)))
);
CREATE INDEX users_last_active ON users(last_active);

CREATE TABLE needs_blinding (
  blinded_abs TEXT NOT NULL PRIMARY KEY,
  "user" INTEGER NOT NULL UNIQUE REFERENCES users ON DELETE CASCADE
);

CREATE TABLE reactions (
  id INTEGER NOT NULL PRIMARY KEY,
  message INTEGER NOT NULL REFERENCES messages ON DELETE CASCADE,
  reaction TEXT NOT NULL
);
CREATE UNIQUE INDEX reactions_message ON reactions(message, reaction);

CREATE TABLE user_reactions (
  reaction INTEGER NOT NULL REFERENCES reactions,
  "user" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  at FLOAT NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
  PRIMARY KEY (reaction, "user")
);
CREATE INDEX user_reactions_at ON user_reactions(reaction, at);

CREATE TABLE room_users (
  room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  "user" INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  last_active FLOAT NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
  PRIMARY KEY (room, "user")
) WITHOUT ROWID;
CREATE INDEX room_users_room_activity ON room_users(room, last_active);
CREATE INDEX room_users_activity ON room_users(last_active);

CREATE TABLE user_permission_overrides (
  room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  "user" INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  banned BOOLEAN NOT NULL DEFAULT FALSE,
  read BOOLEAN,
  accessible BOOLEAN,
  write BOOLEAN,
  upload BOOLEAN,
  moderator BOOLEAN NOT NULL DEFAULT FALSE,
  admin BOOLEAN NOT NULL DEFAULT FALSE,
  visible_mod BOOLEAN NOT NULL DEFAULT TRUE,
  PRIMARY KEY (room, "user"),
  CHECK (NOT (banned AND (moderator OR admin)))
) WITHOUT ROWID;
CREATE INDEX user_permission_overrides_mods ON user_permission_overrides(room) WHERE moderator;

CREATE TABLE user_permission_futures (
  room INTEGER NOT NULL REFERENCES rooms ON DELETE CASCADE,
  "user" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  at FLOAT NOT NULL,
  read BOOLEAN,
  write BOOLEAN,
  upload BOOLEAN
);
CREATE INDEX user_permission_futures_at ON user_permission_futures(at);
CREATE INDEX user_permission_futures_room_user ON user_permission_futures(room, "user");

CREATE TABLE user_ban_futures (
  room INTEGER REFERENCES rooms ON DELETE CASCADE,
  "user" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  at FLOAT NOT NULL,
  banned BOOLEAN NOT NULL
);
CREATE INDEX user_ban_futures_at ON user_ban_futures(at);
CREATE INDEX user_ban_futures_room_user ON user_ban_futures(room, "user");

CREATE TABLE user_request_nonces (
  "user" INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  nonce BLOB NOT NULL UNIQUE,
  expiry FLOAT NOT NULL DEFAULT ((julianday('now') - 2440587.5 + 1.0) * 86400.0)
);
CREATE INDEX user_request_nonces_expiry ON user_request_nonces(expiry);

CREATE TABLE inbox (
  id INTEGER PRIMARY KEY,
  recipient INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  sender INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body BLOB NOT NULL,
  posted_at FLOAT DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
  expiry FLOAT DEFAULT ((julianday('now') - 2440587.5 + 15.0) * 86400.0)
);
CREATE INDEX inbox_recipient ON inbox(recipient);
`;

/**
 * The reference's PostgreSQL schema: the same tables with identities, CITEXT tokens, and
 * `message_history.data` as TEXT (the reference declares it so; bytea written into it arrives as
 * its `\x…` text form). Rooms and files name each other: the image key is added after files.
 */
export const REFERENCE_PG_DDL = `
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE users (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  session_id TEXT NOT NULL UNIQUE,
  created FLOAT NOT NULL DEFAULT (extract(epoch from now())),
  last_active FLOAT NOT NULL DEFAULT (extract(epoch from now())),
  banned BOOLEAN NOT NULL DEFAULT FALSE,
  moderator BOOLEAN NOT NULL DEFAULT FALSE,
  admin BOOLEAN NOT NULL DEFAULT FALSE,
  visible_mod BOOLEAN NOT NULL DEFAULT FALSE,
  CHECK (NOT (banned AND (moderator OR admin)))
);
CREATE INDEX users_last_active ON users(last_active);

CREATE TABLE rooms (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  token CITEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT,
  image BIGINT,
  created FLOAT NOT NULL DEFAULT (extract(epoch from now())),
  message_sequence BIGINT NOT NULL DEFAULT 0,
  info_updates BIGINT NOT NULL DEFAULT 0,
  active_users BIGINT NOT NULL DEFAULT 0,
  read BOOLEAN NOT NULL DEFAULT TRUE,
  accessible BOOLEAN NOT NULL DEFAULT TRUE,
  write BOOLEAN NOT NULL DEFAULT TRUE,
  upload BOOLEAN NOT NULL DEFAULT TRUE,
  CHECK (token SIMILAR TO '[a-zA-Z0-9_-]+')
);

CREATE TABLE messages (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  room BIGINT NOT NULL REFERENCES rooms ON DELETE CASCADE,
  "user" BIGINT NOT NULL REFERENCES users,
  posted FLOAT NOT NULL DEFAULT (extract(epoch from now())),
  edited FLOAT,
  seqno BIGINT NOT NULL DEFAULT 0,
  seqno_data BIGINT NOT NULL DEFAULT 0,
  seqno_reactions BIGINT NOT NULL DEFAULT 0,
  seqno_creation BIGINT NOT NULL DEFAULT 0,
  data BYTEA,
  data_size BIGINT,
  signature BYTEA,
  filtered BOOLEAN NOT NULL DEFAULT FALSE,
  whisper BIGINT REFERENCES users,
  whisper_mods BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX messages_room ON messages(room, posted);
CREATE INDEX messages_updated ON messages(room, seqno);
CREATE INDEX messages_id ON messages(room, id);

CREATE TABLE message_history (
  message BIGINT NOT NULL REFERENCES messages ON DELETE CASCADE,
  replaced FLOAT NOT NULL DEFAULT (extract(epoch from now())),
  data TEXT NOT NULL,
  signature BYTEA NOT NULL
);
CREATE INDEX message_history_message ON message_history(message);
CREATE INDEX message_history_replaced ON message_history(replaced);

CREATE TABLE pinned_messages (
  room BIGINT NOT NULL REFERENCES rooms ON DELETE CASCADE,
  message BIGINT NOT NULL REFERENCES messages ON DELETE CASCADE,
  pinned_by BIGINT NOT NULL REFERENCES users,
  pinned_at FLOAT NOT NULL DEFAULT (extract(epoch from now())),
  PRIMARY KEY (room, message)
);

CREATE TABLE files (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  room BIGINT REFERENCES rooms ON DELETE SET NULL,
  uploader BIGINT REFERENCES users,
  message BIGINT REFERENCES messages ON DELETE SET NULL,
  size BIGINT NOT NULL,
  uploaded FLOAT NOT NULL DEFAULT (extract(epoch from now())),
  expiry FLOAT DEFAULT (extract(epoch from now() + '15 days')),
  filename TEXT,
  path TEXT NOT NULL
);
CREATE INDEX files_room ON files(room);
CREATE INDEX files_expiry ON files(expiry);
CREATE INDEX files_message ON files(message);
ALTER TABLE rooms ADD CONSTRAINT room_image_fk FOREIGN KEY (image) REFERENCES files ON DELETE SET NULL;

CREATE TABLE needs_blinding (
  blinded_abs TEXT NOT NULL PRIMARY KEY,
  "user" BIGINT NOT NULL UNIQUE REFERENCES users ON DELETE CASCADE
);

CREATE TABLE reactions (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  message BIGINT NOT NULL REFERENCES messages ON DELETE CASCADE,
  reaction TEXT NOT NULL
);
CREATE UNIQUE INDEX reactions_message ON reactions(message, reaction);

CREATE TABLE user_reactions (
  reaction BIGINT NOT NULL REFERENCES reactions ON DELETE CASCADE,
  "user" BIGINT NOT NULL REFERENCES users ON DELETE CASCADE,
  at FLOAT NOT NULL DEFAULT (extract(epoch from now())),
  PRIMARY KEY (reaction, "user")
);
CREATE INDEX user_reactions_at ON user_reactions(reaction, at);

CREATE TABLE room_users (
  room BIGINT NOT NULL REFERENCES rooms ON DELETE CASCADE,
  "user" BIGINT NOT NULL REFERENCES users ON DELETE CASCADE,
  last_active FLOAT NOT NULL DEFAULT (extract(epoch from now())),
  PRIMARY KEY (room, "user")
);
CREATE INDEX room_users_room_activity ON room_users(room, last_active);
CREATE INDEX room_users_activity ON room_users(last_active);

CREATE TABLE user_permission_overrides (
  room BIGINT NOT NULL REFERENCES rooms ON DELETE CASCADE,
  "user" BIGINT NOT NULL REFERENCES users ON DELETE CASCADE,
  banned BOOLEAN NOT NULL DEFAULT FALSE,
  read BOOLEAN,
  accessible BOOLEAN,
  write BOOLEAN,
  upload BOOLEAN,
  moderator BOOLEAN NOT NULL DEFAULT FALSE,
  admin BOOLEAN NOT NULL DEFAULT FALSE,
  visible_mod BOOLEAN NOT NULL DEFAULT TRUE,
  PRIMARY KEY (room, "user"),
  CHECK (NOT (banned AND (moderator OR admin)))
);
CREATE INDEX user_permission_overrides_mods ON user_permission_overrides(room) WHERE moderator;

CREATE TABLE user_permission_futures (
  room BIGINT NOT NULL REFERENCES rooms ON DELETE CASCADE,
  "user" BIGINT NOT NULL REFERENCES users ON DELETE CASCADE,
  at FLOAT NOT NULL,
  read BOOLEAN,
  write BOOLEAN,
  upload BOOLEAN
);
CREATE INDEX user_permissions_future_at ON user_permission_futures(at);
CREATE INDEX user_permissions_future_room_user ON user_permission_futures(room, "user");

CREATE TABLE user_ban_futures (
  room BIGINT REFERENCES rooms ON DELETE CASCADE,
  "user" BIGINT NOT NULL REFERENCES users ON DELETE CASCADE,
  at FLOAT NOT NULL,
  banned BOOLEAN NOT NULL
);
CREATE INDEX user_ban_futures_at ON user_ban_futures(at);
CREATE INDEX user_ban_futures_room_user ON user_ban_futures(room, "user");

CREATE TABLE user_request_nonces (
  "user" BIGINT NOT NULL REFERENCES users ON DELETE CASCADE,
  nonce BYTEA NOT NULL UNIQUE,
  expiry FLOAT NOT NULL DEFAULT (extract(epoch from now() + '24 hours'))
);
CREATE INDEX user_request_nonces_expiry ON user_request_nonces(expiry);

CREATE TABLE inbox (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  recipient BIGINT NOT NULL REFERENCES users ON DELETE CASCADE,
  sender BIGINT NOT NULL REFERENCES users ON DELETE CASCADE,
  body BYTEA NOT NULL,
  posted_at FLOAT DEFAULT (extract(epoch from now())),
  expiry FLOAT DEFAULT (extract(epoch from now() + '15 days'))
);
CREATE INDEX inbox_recipient ON inbox(recipient);
`;

// ---------------------------------------------------------------------------------------------
// Rows, with the reference's column names

export interface RoomRow {
  id: number;
  token: string;
  name: string;
  description: string | null;
  image: number | null;
  created: number;
  message_sequence: number;
  info_updates: number;
  active_users: number;
  read: boolean;
  accessible: boolean;
  write: boolean;
  upload: boolean;
}
export interface UserRow {
  id: number;
  session_id: string;
  created: number;
  last_active: number;
  banned: boolean;
  moderator: boolean;
  admin: boolean;
  visible_mod: boolean;
}
export interface MessageRow {
  id: number;
  room: number;
  user: number;
  posted: number;
  edited: number | null;
  seqno: number;
  seqno_data: number;
  seqno_reactions: number;
  seqno_creation: number;
  /** Without the Session padding; null: deleted. */
  data: Buffer | null;
  /** The padded length (null when deleted). */
  data_size: number | null;
  signature: Buffer | null;
  filtered: boolean;
  whisper: number | null;
  whisper_mods: boolean;
}
export interface HistoryRow {
  message: number;
  replaced: number;
  data: Buffer;
  signature: Buffer;
}
export interface PinRow {
  room: number;
  message: number;
  pinned_by: number;
  pinned_at: number;
}
export interface FileRow {
  id: number;
  room: number | null;
  uploader: number | null;
  message: number | null;
  size: number;
  uploaded: number;
  expiry: number | null;
  filename: string | null;
  /** As the reference recorded it: `uploads/<token>/<id>_<name>`, or absolute. */
  path: string;
}
export interface NeedsBlindingRow {
  blinded_abs: string;
  user: number;
}
export interface ReactionRow {
  id: number;
  message: number;
  reaction: string;
}
export interface UserReactionRow {
  reaction: number;
  user: number;
  at: number;
}
export interface RoomUserRow {
  room: number;
  user: number;
  last_active: number;
}
export interface OverrideRow {
  room: number;
  user: number;
  banned: boolean;
  read: boolean | null;
  accessible: boolean | null;
  write: boolean | null;
  upload: boolean | null;
  moderator: boolean;
  admin: boolean;
  visible_mod: boolean;
}
export interface PermissionFutureRow {
  room: number;
  user: number;
  at: number;
  read: boolean | null;
  write: boolean | null;
  upload: boolean | null;
}
export interface BanFutureRow {
  room: number | null;
  user: number;
  at: number;
  banned: boolean;
}
export interface NonceRow {
  user: number;
  nonce: Buffer;
  expiry: number;
}
export interface InboxRow {
  id: number;
  recipient: number;
  sender: number;
  body: Buffer;
  posted_at: number;
  expiry: number;
}

export interface ReferenceTables {
  users: UserRow[];
  rooms: RoomRow[];
  messages: MessageRow[];
  message_history: HistoryRow[];
  reactions: ReactionRow[];
  user_reactions: UserReactionRow[];
  pinned_messages: PinRow[];
  files: FileRow[];
  room_users: RoomUserRow[];
  user_permission_overrides: OverrideRow[];
  user_permission_futures: PermissionFutureRow[];
  user_ban_futures: BanFutureRow[];
  needs_blinding: NeedsBlindingRow[];
  user_request_nonces: NonceRow[];
  inbox: InboxRow[];
}

/** Tables in an order that has every row's references in place (room images are set afterwards). */
export const TABLE_ORDER: ReadonlyArray<keyof ReferenceTables> = [
  'users',
  'rooms',
  'messages',
  'message_history',
  'reactions',
  'user_reactions',
  'pinned_messages',
  'files',
  'room_users',
  'user_permission_overrides',
  'user_permission_futures',
  'user_ban_futures',
  'needs_blinding',
  'user_request_nonces',
  'inbox',
];

/** Everyone in the fixture, by role. `system` is the reference's own `ff…` user. */
export const FIXTURE_USERS = [
  'system',
  'gadmin', // global admin, visible
  'gmod', // global moderator, hidden
  'radmin', // lobby admin, visible
  'rmod', // lobby moderator, visible
  'hmod', // lobby moderator, hidden
  'hadmin', // lobby admin, hidden
  'alice',
  'bob',
  'carol', // lobby: write = false, with a scheduled write = true
  'dave', // lobby: upload = false, with a scheduled upload = true
  'eve', // globally banned
  'mallory', // banned from lobby for good
  'trudy', // banned from lobby until a scheduled unban
  'frank', // receives a whisper in annex
  'pendmod', // a `05` id made lobby moderator before it ever signed blinded (needs_blinding)
  'pendgmod', // a `05` id made global moderator likewise
] as const;
export type FixtureUserName = (typeof FIXTURE_USERS)[number];

export interface FixtureUser {
  name: FixtureUserName;
  /** The reference's users.id. */
  id: number;
  /** As the reference stores it: `15…`, `05…` (the two pending ones) or `ff…` (system). */
  sessionId: string;
  /** The account, to sign requests with (none for the system user). */
  client: SessionClient | null;
}

export interface ReferenceUpload {
  /** Relative to the reference's uploads directory (`<token>/<id>_<name>`). */
  file: string;
  bytes: Buffer;
}

export interface ReferenceFixture {
  /** Unix seconds the fixture's times are relative to. */
  now: number;
  /** The reference's key_x25519: 32 raw bytes of its X25519 private key. */
  serverPrivateKey: Buffer;
  serverPublicKey: Buffer;
  /** `ff` + the server public key. */
  systemSessionId: string;
  users: Record<FixtureUserName, FixtureUser>;
  rooms: Record<'lobby' | 'annex' | 'vip' | 'secret', RoomRow>;
  tables: ReferenceTables;
  uploads: ReferenceUpload[];
}

const DAY = 86_400;

/** Deterministic bytes: the same fixture every run, apart from its times. */
function bytesFor(label: string, length: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0, n = 0; n < length; i++) {
    const block = createHash('sha256').update(`pysogs-fixture/${label}/${i}`).digest();
    out.push(block);
    n += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** Message content as the reference stores it: never ending in the padding's 0x00 or 0x80. */
function content(label: string, length: number): Buffer {
  const b = bytesFor(`content/${label}`, length);
  if (b[b.length - 1] === 0x00 || b[b.length - 1] === 0x80) b[b.length - 1] = 0x42;
  return b;
}

/** Session padding as clients add it; what the server is expected to hand back. */
export function padded(data: Buffer, size: number | null): Buffer {
  if (size === null || size <= data.length) return data;
  const out = Buffer.alloc(size);
  data.copy(out);
  out[data.length] = 0x80;
  return out;
}

/** The reference's on-disk name of an upload: runs of other characters become `_`. */
function diskName(id: number, filename: string | null): string {
  const name = filename === null ? '(unnamed)' : filename.replace(/[^\p{L}\p{N}_+\-.'()@[\]]+/gu, '_');
  return `${id}_${name}`;
}

export interface FixtureOptions {
  /** Unix seconds; defaults to the current time. */
  now?: number;
}

/**
 * Builds the fixture (after libsodium is ready). The story of each room is written out below in
 * the order it happened at the reference, and every counter (seqnos, message_sequence,
 * active_users) follows from it.
 */
export async function buildReferenceFixture(opts: FixtureOptions = {}): Promise<ReferenceFixture> {
  await initCrypto();
  const now = opts.now ?? Math.round(Date.now()) / 1000;
  const serverPrivateKey = bytesFor('server-key', 32);
  const serverPublicKey = Buffer.from(x25519PublicKey(serverPrivateKey));
  const systemSessionId = `ff${serverPublicKey.toString('hex')}`;

  const users = {} as Record<FixtureUserName, FixtureUser>;
  FIXTURE_USERS.forEach((name, i) => {
    const id = i + 1;
    if (name === 'system') {
      users[name] = { name, id, sessionId: systemSessionId, client: null };
      return;
    }
    const client = new SessionClient(bytesFor(`account/${name}`, 32), serverPublicKey);
    users[name] = { name, id, sessionId: name.startsWith('pend') ? client.sessionId : client.blindedId, client };
  });
  const u = (name: FixtureUserName) => users[name].id;

  const userRows: UserRow[] = FIXTURE_USERS.map((name, i) => ({
    id: users[name].id,
    session_id: users[name].sessionId,
    created: now - 40 * DAY + i * 1000.25,
    last_active: now - (i % 5) * 3600 - 0.5,
    banned: name === 'eve',
    moderator: ['system', 'gadmin', 'gmod', 'pendgmod'].includes(name),
    admin: ['system', 'gadmin'].includes(name),
    visible_mod: ['gadmin', 'pendgmod'].includes(name),
  }));

  const room = (id: number, token: string, name: string, description: string | null, perms: Partial<Pick<RoomRow, 'read' | 'accessible' | 'write' | 'upload'>> = {}): RoomRow => ({
    id,
    token,
    name,
    description,
    image: null,
    created: now - 30 * DAY + id * 60.5,
    message_sequence: 0,
    info_updates: 0,
    active_users: 0,
    read: true,
    accessible: true,
    write: true,
    upload: true,
    ...perms,
  });
  const rooms = {
    lobby: room(1, 'lobby', 'The Lobby', 'Where everyone meets 🛋️'),
    annex: room(2, 'Annex', 'Annex', null), // tokens keep their spelling; lookups ignore case
    vip: room(3, 'vip', 'VIP lounge', 'Members only', { read: false, accessible: true, write: false, upload: false }),
    secret: room(4, 'secret', 'Secret', 'Not listed', { read: false, accessible: false }),
  };

  const messages: MessageRow[] = [];
  const history: HistoryRow[] = [];
  const reactions: ReactionRow[] = [];
  const userReactions: UserReactionRow[] = [];
  const seq = (r: RoomRow) => ++r.message_sequence;
  const base = now - 2 * DAY;
  const msg = (id: number, r: RoomRow, author: FixtureUserName, o: { pad?: number; whisper?: FixtureUserName; mods?: boolean; filtered?: boolean } = {}) => {
    const data = content(`m${id}`, 40 + id * 7);
    const s = seq(r);
    const size = data.length + (o.pad ?? 0);
    const client = users[author].client!;
    const row: MessageRow = {
      id,
      room: r.id,
      user: u(author),
      posted: base + id * 600 + 0.125,
      edited: null,
      seqno: s,
      seqno_data: s,
      seqno_reactions: 0,
      seqno_creation: s,
      data,
      data_size: size,
      signature: blindedSign(padded(data, size), client.seed, serverPublicKey),
      filtered: o.filtered ?? false,
      whisper: o.whisper ? u(o.whisper) : null,
      whisper_mods: o.mods ?? false,
    };
    messages.push(row);
    return row;
  };
  const bumpSeqno = (m: MessageRow) => (m.seqno = Math.max(m.seqno_data, m.seqno_reactions));
  const edit = (m: MessageRow, at: number, label: string, pad: number) => {
    history.push({ message: m.id, replaced: at, data: m.data!, signature: m.signature! });
    const data = content(label, 33);
    m.data = data;
    m.data_size = data.length + pad;
    m.signature = blindedSign(padded(data, m.data_size), users[userName(m.user)].client!.seed, serverPublicKey);
    m.edited = at;
    m.seqno_data = seq(roomOf(m));
    bumpSeqno(m);
  };
  const remove = (m: MessageRow, at: number) => {
    history.push({ message: m.id, replaced: at, data: m.data!, signature: m.signature! });
    m.data = null;
    m.data_size = null;
    m.signature = null;
    m.edited = at;
    m.seqno_data = seq(roomOf(m));
    bumpSeqno(m);
  };
  const react = (m: MessageRow, reaction: string, who: FixtureUserName, at: number) => {
    let r = reactions.find((x) => x.message === m.id && x.reaction === reaction);
    if (!r) reactions.push((r = { id: reactions.length + 1, message: m.id, reaction }));
    userReactions.push({ reaction: r.id, user: u(who), at });
    m.seqno_reactions = seq(roomOf(m));
    bumpSeqno(m);
  };
  const userName = (id: number) => FIXTURE_USERS[id - 1];
  const roomOf = (m: MessageRow) => Object.values(rooms).find((r) => r.id === m.room)!;

  // Lobby and annex, interleaved as they happened (message ids are server-wide).
  const m1 = msg(1, rooms.lobby, 'alice', { pad: 53 });
  msg(2, rooms.lobby, 'bob'); // sent without padding: data_size = its length
  msg(3, rooms.annex, 'bob', { pad: 20 });
  const m4 = msg(4, rooms.lobby, 'alice', { pad: 1 }); // has an attachment (file 2)
  const m5 = msg(5, rooms.lobby, 'carol', { pad: 77 }); // edited below
  const m6 = msg(6, rooms.lobby, 'bob', { pad: 12 }); // deleted below
  msg(7, rooms.lobby, 'rmod', { pad: 9, whisper: 'alice' });
  msg(8, rooms.lobby, 'rmod', { pad: 9, mods: true });
  msg(9, rooms.lobby, 'bob', { pad: 30, filtered: true });
  const m10 = msg(10, rooms.lobby, 'radmin', { pad: 14 }); // has an attachment (file 3), pinned
  msg(11, rooms.annex, 'gmod', { pad: 5, whisper: 'frank', mods: true });
  edit(m5, base + 11 * 600 + 3.5, 'm5-edited', 127);
  remove(m6, base + 11 * 600 + 9.25);
  react(m1, '👍', 'bob', base + 12 * 600 - 100.5); // first by time, though not by user id
  react(m1, '👍', 'alice', base + 12 * 600 - 90.25);
  react(m1, '👍', 'gadmin', base + 12 * 600 - 80);
  react(m1, '🎉', 'carol', base + 12 * 600 - 70.75);
  react(m10, '❤️', 'alice', base + 12 * 600 - 60);
  msg(12, rooms.lobby, 'alice', { pad: 100 });
  msg(13, rooms.vip, 'gadmin', { pad: 11 });
  msg(14, rooms.annex, 'alice', { pad: 2 });

  const pins: PinRow[] = [
    { room: rooms.lobby.id, message: m10.id, pinned_by: u('radmin'), pinned_at: base + 13 * 600 + 0.5 },
    { room: rooms.lobby.id, message: m1.id, pinned_by: u('system'), pinned_at: base + 13 * 600 + 30.75 },
  ];

  // Uploads: the lobby's image, two attachments (one of a pinned message: never expires), and a
  // fresh empty upload in annex, not attached yet.
  const fileRow = (id: number, r: RoomRow, uploader: FixtureUserName, message: number | null, uploaded: number, expiry: number | null, filename: string | null, size: number): FileRow => ({
    id,
    room: r.id,
    uploader: u(uploader),
    message,
    size,
    uploaded,
    expiry,
    filename,
    path: `uploads/${r.token}/${diskName(id, filename)}`,
  });
  const imageBytes = bytesFor('file/lobby-image', 2345);
  const catBytes = bytesFor('file/cat', 70_001);
  const pdfBytes = bytesFor('file/pdf', 300_003);
  const files: FileRow[] = [
    fileRow(1, rooms.lobby, 'radmin', null, now - 3 * DAY + 0.5, null, 'lobby-logo.png', imageBytes.length),
    fileRow(2, rooms.lobby, 'alice', m4.id, m4.posted - 5, m4.posted + 15 * DAY, 'cat photo.jpg', catBytes.length),
    fileRow(3, rooms.lobby, 'radmin', m10.id, m10.posted - 5, null, 'résumé (final).pdf', pdfBytes.length),
    fileRow(4, rooms.annex, 'bob', null, now - 600.5, now - 600.5 + 3600, null, 0),
  ];
  // A reference whose uploads were configured by absolute path records them so.
  files[2].path = `/var/lib/session-pysogs/${files[2].path}`;
  const uploads: ReferenceUpload[] = [imageBytes, catBytes, pdfBytes, Buffer.alloc(0)].map((bytes, i) => ({
    file: files[i].path.replace(/^.*?uploads\//, ''),
    bytes,
  }));
  rooms.lobby.image = 1;

  const roomUsers: RoomUserRow[] = [
    { room: rooms.lobby.id, user: u('alice'), last_active: now - 3600.5 },
    { room: rooms.lobby.id, user: u('bob'), last_active: now - 2 * DAY },
    { room: rooms.lobby.id, user: u('carol'), last_active: now - 10 * DAY }, // outside the 7-day window
    { room: rooms.lobby.id, user: u('rmod'), last_active: now - 3 * 3600 },
    { room: rooms.annex.id, user: u('bob'), last_active: now - DAY },
    { room: rooms.annex.id, user: u('alice'), last_active: now - 8 * DAY },
    { room: rooms.vip.id, user: u('gadmin'), last_active: now - 5 * 3600 },
  ];
  for (const r of Object.values(rooms)) {
    r.active_users = roomUsers.filter((x) => x.room === r.id && x.last_active >= now - 7 * DAY).length;
  }

  const override = (r: RoomRow, who: FixtureUserName, o: Partial<OverrideRow>): OverrideRow => ({
    room: r.id,
    user: u(who),
    banned: false,
    read: null,
    accessible: null,
    write: null,
    upload: null,
    moderator: false,
    admin: false,
    visible_mod: true,
    ...o,
  });
  const overrides: OverrideRow[] = [
    override(rooms.lobby, 'radmin', { moderator: true, admin: true }),
    override(rooms.lobby, 'rmod', { moderator: true }),
    override(rooms.lobby, 'hmod', { moderator: true, visible_mod: false }),
    override(rooms.lobby, 'hadmin', { moderator: true, admin: true, visible_mod: false }),
    override(rooms.lobby, 'carol', { write: false }),
    override(rooms.lobby, 'dave', { upload: false }),
    override(rooms.lobby, 'mallory', { banned: true }),
    override(rooms.lobby, 'trudy', { banned: true }),
    override(rooms.lobby, 'pendmod', { moderator: true }),
    override(rooms.vip, 'alice', { read: true, write: true }),
  ];
  const permissionFutures: PermissionFutureRow[] = [
    { room: rooms.lobby.id, user: u('carol'), at: now + 2 * 3600 + 0.25, read: null, write: true, upload: null },
    { room: rooms.lobby.id, user: u('dave'), at: now + 3 * 3600 + 0.5, read: null, write: null, upload: true },
    { room: rooms.annex.id, user: u('bob'), at: now + 3600 + 0.75, read: null, write: false, upload: null },
  ];
  const banFutures: BanFutureRow[] = [{ room: rooms.lobby.id, user: u('trudy'), at: now + DAY + 0.125, banned: false }];
  const needsBlinding: NeedsBlindingRow[] = (['pendmod', 'pendgmod'] as const).map((name) => ({
    blinded_abs: blindedIdCandidates(users[name].sessionId, serverPublicKey)!.abs,
    user: u(name),
  }));
  const nonces: NonceRow[] = [
    { user: u('alice'), nonce: bytesFor('nonce/1', 16), expiry: now + 12 * 3600 },
    { user: u('alice'), nonce: bytesFor('nonce/2', 16), expiry: now + 13 * 3600 },
    { user: u('bob'), nonce: bytesFor('nonce/3', 24), expiry: now + 14 * 3600 },
  ];
  const inbox: InboxRow[] = [
    { id: 1, recipient: u('bob'), sender: u('alice'), body: bytesFor('dm/1', 311), posted_at: now - 3600.5, expiry: now - 3600.5 + 15 * DAY },
    { id: 2, recipient: u('alice'), sender: u('bob'), body: bytesFor('dm/2', 97), posted_at: now - 20 * DAY, expiry: now - 5 * DAY }, // expired
    { id: 3, recipient: u('alice'), sender: u('bob'), body: bytesFor('dm/3', 1024), posted_at: now - 1800.25, expiry: now - 1800.25 + 15 * DAY },
  ];

  // info_updates: +1 per global mod/admin appointed (every room), per room mod/admin appointed, per pin, per image change.
  const globalStaff = userRows.filter((r) => r.moderator || r.admin).length;
  for (const r of Object.values(rooms)) {
    r.info_updates =
      globalStaff +
      overrides.filter((o) => o.room === r.id && (o.moderator || o.admin)).length +
      pins.filter((p) => p.room === r.id).length +
      (r.image !== null ? 1 : 0);
  }

  return {
    now,
    serverPrivateKey,
    serverPublicKey,
    systemSessionId,
    users,
    rooms,
    tables: {
      users: userRows,
      rooms: Object.values(rooms),
      messages,
      message_history: history,
      reactions,
      user_reactions: userReactions,
      pinned_messages: pins,
      files,
      room_users: roomUsers,
      user_permission_overrides: overrides,
      user_permission_futures: permissionFutures,
      user_ban_futures: banFutures,
      needs_blinding: needsBlinding,
      user_request_nonces: nonces,
      inbox,
    },
    uploads,
  };
}

// ---------------------------------------------------------------------------------------------
// Writers

type Cell = number | string | boolean | Buffer | null;
type Statement = { table: string; columns: string[]; sql: string; params: Cell[] };

/** The INSERTs of every row (room images unset), then the UPDATEs that set the images. */
function statements(fixture: ReferenceFixture, placeholder: (i: number) => string): Statement[] {
  const out: Statement[] = [];
  for (const table of TABLE_ORDER) {
    for (const row of fixture.tables[table] as unknown as Array<Record<string, Cell>>) {
      const columns = Object.keys(row);
      const params = columns.map((c) => (table === 'rooms' && c === 'image' ? null : row[c]));
      out.push({
        table,
        columns,
        sql: `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => placeholder(i + 1)).join(', ')})`,
        params,
      });
    }
  }
  for (const r of fixture.tables.rooms) {
    if (r.image !== null) out.push({ table: 'rooms', columns: ['image', 'id'], sql: `UPDATE rooms SET image = ${placeholder(1)} WHERE id = ${placeholder(2)}`, params: [r.image, r.id] });
  }
  return out;
}

/** The reference's `sogs.db`: SQLite, written with sql.js. */
export async function writeSqliteReference(file: string, fixture: ReferenceFixture): Promise<void> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  try {
    db.exec('PRAGMA foreign_keys = ON');
    db.exec(`BEGIN; ${REFERENCE_SQLITE_DDL} COMMIT;`);
    db.exec('BEGIN');
    for (const s of statements(fixture, () => '?')) {
      db.run(s.sql, s.params.map(toSqlite));
    }
    db.exec('COMMIT');
    const problems = db.exec('PRAGMA foreign_key_check');
    if (problems.length) throw new Error(`fixture breaks a foreign key: ${JSON.stringify(problems[0].values)}`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.from(db.export()));
  } finally {
    db.close();
  }
}

function toSqlite(v: Cell): SqlValue {
  if (Buffer.isBuffer(v)) return new Uint8Array(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

/**
 * The reference on PostgreSQL, in the (empty) database at `url`. `message_history.data` is TEXT
 * there: the rows hold the bytes' text form, as the reference's writes leave them: `\x…` (hex),
 * except the versions of every other message, which PostgreSQL itself renders in the escape form a
 * server with `bytea_output = escape` writes.
 */
export async function createPgReference(url: string, fixture: ReferenceFixture): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(REFERENCE_PG_DDL);
    for (const s of statements(fixture, (i) => `$${i}`)) {
      const params = s.params.map((p, i) => (s.table === 'message_history' && s.columns[i] === 'data' ? `\\x${(p as Buffer).toString('hex')}` : p));
      await client.query(s.sql, params);
    }
    await client.query(`SET LOCAL bytea_output = 'escape'`);
    await client.query(`UPDATE message_history SET data = decode(substr(data, 3), 'hex')::text WHERE message % 2 = 0`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

/** The reference's uploads directory: `<room token>/<id>_<name>` for every file row. */
export function writeReferenceUploads(dir: string, fixture: ReferenceFixture): void {
  for (const { file, bytes } of fixture.uploads) {
    const target = path.join(dir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, bytes);
  }
}

/** The reference's `key_x25519`: the same 32 raw bytes this server keeps in its own key file. */
export function writeReferenceKey(file: string, fixture: ReferenceFixture): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, fixture.serverPrivateKey, { mode: 0o600 });
}
