import { ImportRefused } from './reference-source';

/**
 * The tables and columns of a session-pysogs database at its last schema (§13 of the protocol
 * notes; v0.3.x migrates older databases to it when it starts). Anything else is refused: a
 * database of another program, an older reference that has not migrated yet, or a newer one whose
 * additions this importer would silently drop.
 */
export const REFERENCE_TABLES: Readonly<Record<string, readonly string[]>> = {
  rooms: ['id', 'token', 'name', 'description', 'image', 'created', 'message_sequence', 'info_updates', 'active_users', 'read', 'accessible', 'write', 'upload'],
  users: ['id', 'session_id', 'created', 'last_active', 'banned', 'moderator', 'admin', 'visible_mod'],
  messages: [
    'id', 'room', 'user', 'posted', 'edited', 'seqno', 'seqno_data', 'seqno_reactions', 'seqno_creation',
    'data', 'data_size', 'signature', 'filtered', 'whisper', 'whisper_mods',
  ],
  message_history: ['message', 'replaced', 'data', 'signature'],
  pinned_messages: ['room', 'message', 'pinned_by', 'pinned_at'],
  files: ['id', 'room', 'uploader', 'message', 'size', 'uploaded', 'expiry', 'filename', 'path'],
  needs_blinding: ['blinded_abs', 'user'],
  reactions: ['id', 'message', 'reaction'],
  user_reactions: ['reaction', 'user', 'at'],
  room_users: ['room', 'user', 'last_active'],
  user_permission_overrides: ['room', 'user', 'banned', 'read', 'accessible', 'write', 'upload', 'moderator', 'admin', 'visible_mod'],
  user_permission_futures: ['room', 'user', 'at', 'read', 'write', 'upload'],
  user_ban_futures: ['room', 'user', 'at', 'banned'],
  user_request_nonces: ['user', 'nonce', 'expiry'],
  inbox: ['id', 'recipient', 'sender', 'body', 'posted_at', 'expiry'],
};

/** Left by the reference's import of pre-2022 servers; nothing reads them any more. */
const IGNORED_TABLES = new Set(['file_id_hacks', 'room_import_hacks']);

/** Refuses anything but a reference database of the known schema, naming what differs. */
export function checkReferenceSchema(found: Map<string, string[]>, description: string): void {
  if (!['rooms', 'messages', 'users'].every((t) => found.has(t))) {
    throw new ImportRefused(`${description} is not a session-pysogs database (it has no rooms, messages and users tables)`);
  }
  const problems: string[] = [];
  for (const [table, columns] of Object.entries(REFERENCE_TABLES)) {
    const have = found.get(table);
    if (!have) {
      problems.push(`no table ${table}`);
      continue;
    }
    const missing = columns.filter((c) => !have.includes(c));
    const extra = have.filter((c) => !columns.includes(c));
    if (missing.length) problems.push(`${table} lacks ${missing.join(', ')}`);
    if (extra.length) problems.push(`${table} has unknown columns ${extra.join(', ')}`);
  }
  const unknown = [...found.keys()].filter((t) => !(t in REFERENCE_TABLES) && !IGNORED_TABLES.has(t));
  if (unknown.length) problems.push(`unknown tables ${unknown.join(', ')}`);
  if (problems.length) {
    throw new ImportRefused(
      `${description} is a session-pysogs database of an unknown schema version (${problems.join('; ')}). ` +
        'This importer reads the schema of session-pysogs 0.3.x; start that version of the reference once on the ' +
        'database (it migrates older schemas when it starts), stop it, and import again',
    );
  }
}
