import type { EffectivePermissions } from '../moderation/permissions.service';
import { PinnedMessage } from './pinned-message.entity';
import { Room } from './room.entity';

/** A pin as room info shows it (§7.7): the message id, when, and by whom. */
export interface PinInfo extends Pick<PinnedMessage, 'pinned_at'> {
  id: number;
  /** Session ID of the admin who pinned it. */
  pinned_by: string;
}

/** Who moderates a room, split the way room info shows it (§6.1); each list sorted. */
export interface RoomStaff {
  moderators: string[];
  admins: string[];
  hiddenModerators: string[];
  hiddenAdmins: string[];
}

/** The part of a room's info that is the same for every caller and changes only with info_updates. */
export interface SharedRoomDetails {
  staff: RoomStaff;
  pinned: PinInfo[];
}

/** What the caller's role adds to room info and to pollInfo (§1.4, §6.1). */
export interface RoleKeys {
  moderator?: true;
  admin?: true;
  global_moderator?: true;
  global_admin?: true;
  default_read?: boolean;
  default_accessible?: boolean;
  default_write?: boolean;
  default_upload?: boolean;
}

export interface RoomInfo extends RoleKeys {
  token: string;
  name: string;
  description?: string;
  image_id?: number;
  info_updates: number;
  message_sequence: number;
  created: number;
  active_users: number;
  active_users_cutoff: number;
  moderators: string[];
  admins: string[];
  hidden_moderators?: string[];
  hidden_admins?: string[];
  pinned_messages?: PinInfo[];
  read: boolean;
  write: boolean;
  upload: boolean;
}

export interface PollInfo extends RoleKeys {
  token: string;
  active_users: number;
  read: boolean;
  write: boolean;
  upload: boolean;
  details?: RoomInfo;
}

/** Python-style (code point) order, independent of the database collation. */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Splits room and global staff into the four lists. Visibility and admin status are already merged
 * per person (room-level row first) by the query.
 */
export function splitStaff(rows: ReadonlyArray<{ session_id: string; admin: boolean; visible: boolean }>): RoomStaff {
  const staff: RoomStaff = { moderators: [], admins: [], hiddenModerators: [], hiddenAdmins: [] };
  for (const r of rows) {
    const list = r.visible ? (r.admin ? staff.admins : staff.moderators) : r.admin ? staff.hiddenAdmins : staff.hiddenModerators;
    list.push(r.session_id);
  }
  for (const list of Object.values(staff) as string[][]) list.sort(byCodePoint);
  return staff;
}

export function roleKeys(room: Room, perms: EffectivePermissions): RoleKeys {
  const keys: RoleKeys = {};
  if (perms.moderator) {
    keys.moderator = true;
    keys.default_read = room.read;
    keys.default_accessible = room.accessible;
    keys.default_write = room.write;
    keys.default_upload = room.upload;
  }
  if (perms.admin) keys.admin = true;
  if (perms.globalModerator) keys.global_moderator = true;
  if (perms.globalAdmin) keys.global_admin = true;
  return keys;
}

/** The room info object of §6.1 as `perms`' holder sees it; absent keys are left out, never null. */
export function buildRoomInfo(room: Room, perms: EffectivePermissions, shared: SharedRoomDetails, activeCutoff: number): RoomInfo {
  const { staff, pinned } = shared;
  return {
    token: room.token,
    name: room.name,
    ...(room.description !== null ? { description: room.description } : {}),
    ...(room.image !== null ? { image_id: room.image } : {}),
    info_updates: room.info_updates,
    message_sequence: room.message_sequence,
    created: room.created,
    active_users: room.active_users,
    active_users_cutoff: activeCutoff,
    moderators: staff.moderators,
    admins: staff.admins,
    ...(perms.moderator && staff.hiddenModerators.length ? { hidden_moderators: staff.hiddenModerators } : {}),
    ...(perms.moderator && staff.hiddenAdmins.length ? { hidden_admins: staff.hiddenAdmins } : {}),
    ...(pinned.length ? { pinned_messages: pinned } : {}),
    read: perms.read,
    write: perms.write,
    upload: perms.upload,
    ...roleKeys(room, perms),
  };
}
