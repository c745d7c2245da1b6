/** The per-room filter settings a CLI update may change; null returns one to the server setting. */
export interface RoomFilterChanges {
  profanity_filter?: boolean | null;
  profanity_silent?: boolean | null;
  alphabet_filters?: string[] | null;
  alphabet_silent?: boolean | null;
}

/** Listing and retention settings (issue #16); null returns a limit to the server setting or removes it. */
export interface RoomRetentionChanges {
  listed?: boolean;
  /** Seconds; 0 = keep forever, null = the server-wide SOGS_RETENTION_DAYS. */
  retention_seconds?: number | null;
  /** The newest this many messages are kept; null = no limit. */
  max_messages?: number | null;
}

/** Largest `max_messages` (the column is an INTEGER). */
export const MAX_MESSAGES_LIMIT = 2_147_483_647;

export type Permission = 'read' | 'accessible' | 'write' | 'upload';
export const PERMISSIONS: readonly Permission[] = ['read', 'accessible', 'write', 'upload'];
export type PermissionFlags = Partial<Record<Permission, boolean>>;

/** Room tokens: ASCII letters, digits, `_` and `-`, 1 to 64 characters; unique ignoring case. */
export const ROOM_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** Names lose every control character; descriptions keep tab and newline. */
export function cleanRoomName(name: string): string {
  return name.replace(/[\u0000-\u001f]/g, '');
}

export function cleanRoomDescription(description: string): string | null {
  const cleaned = description.replace(/[\u0000-\u0008\u000b-\u001f]/g, '');
  return cleaned === '' ? null : cleaned;
}
