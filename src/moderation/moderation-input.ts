import { BadRequest, NotFound } from '../common/errors';
import { PERMISSIONS } from '../rooms/room';
import { checkRoleChange, PermissionChange, RoleChange, ScheduledValues } from './moderation.service';

/** `rooms: [...]` names rooms by token (`["*"]`: every room the caller moderates); `global: true` the server. */
export type ScopeInput = { global: true } | { rooms: string[] } | { allRooms: true };

const SESSION_ID = /^(05|15)[0-9a-f]{64}$/i;

/** A `{sid}` path parameter: `05` or `15` + 64 hex (either case, stored lower case); else the route names nothing. */
export function pathSessionId(sid: string): string {
  if (!SESSION_ID.test(sid)) throw new NotFound();
  return sid.toLowerCase();
}

function optionalBool(body: Record<string, unknown>, key: string): boolean | null {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean') throw new BadRequest(`Invalid request: ${key} must be a boolean`);
  return v;
}

/** Exactly one of a non-empty `rooms` list (or exactly `["*"]`) and `global: true`. */
export function parseScope(body: Record<string, unknown>): ScopeInput {
  const global = optionalBool(body, 'global') ?? false;
  const rooms = body.rooms ?? null;
  if (rooms !== null && !Array.isArray(rooms)) throw new BadRequest('Invalid request: rooms must be a list of room tokens');
  if (global && rooms !== null) throw new BadRequest('Invalid request: cannot specify both rooms and global');
  if (global) return { global: true };
  if (rooms === null) throw new BadRequest('Invalid request: rooms or global is required');
  if (!rooms.length) throw new BadRequest('Invalid request: rooms must not be empty');
  if (!rooms.every((r): r is string => typeof r === 'string')) throw new BadRequest('Invalid request: rooms must be room tokens');
  if (rooms.includes('*')) {
    if (rooms.length > 1) throw new BadRequest('Invalid request: "*" cannot be combined with room tokens');
    return { allRooms: true };
  }
  return { rooms };
}

/** The (admin, moderator) pair of §8.2 plus `visible`; combinations the table refuses are 400. */
export function parseRoleChange(body: Record<string, unknown>): RoleChange {
  const admin = optionalBool(body, 'admin');
  const moderator = optionalBool(body, 'moderator');
  const visible = optionalBool(body, 'visible');
  // Checked here too so that a bad body is a 400 before the room list can answer 403.
  return { ...checkRoleChange({ admin, moderator }), visible };
}

/** `timeout`: seconds until the scheduled unban, or null/absent for a permanent ban. */
export function parseTimeout(body: Record<string, unknown>): number | null {
  const v = body.timeout;
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadRequest('Invalid request: timeout must be a number of seconds');
  return v;
}

const SCHEDULABLE = ['read', 'write', 'upload'] as const;
export type SchedulablePermission = (typeof SCHEDULABLE)[number];

/**
 * POST permissions/{sid}: `X: bool` sets an override, `default_X: true` clears it (both at once is
 * a contradiction), null or absent changes nothing; a request changing nothing is a 400.
 */
export function parsePermissionUpdate(body: Record<string, unknown>): { change: PermissionChange; unschedule: boolean } {
  const change: PermissionChange = {};
  for (const p of PERMISSIONS) {
    const value = optionalBool(body, p);
    const backToDefault = optionalBool(body, `default_${p}`) === true;
    if (value !== null && backToDefault) throw new BadRequest(`Invalid request: cannot give both ${p} and default_${p}`);
    if (value !== null) change[p] = value;
    else if (backToDefault) change[p] = null;
  }
  if (!Object.keys(change).length) throw new BadRequest('Invalid request: no permission changes given');
  const unschedule = optionalBool(body, 'unschedule') !== false;
  return { change, unschedule };
}

/** Seconds from now at which a scheduled change happens: a JSON number in (0, 1e9). */
const MAX_DELAY = 1_000_000_000;

export interface ScheduledChange {
  in: number;
  values: ScheduledValues;
}

export function parseFutureChange(body: Record<string, unknown>): ScheduledChange {
  const values: ScheduledValues = {};
  for (const p of SCHEDULABLE) {
    const v = optionalBool(body, p);
    if (v !== null) values[p] = v;
  }
  if (!Object.keys(values).length) throw new BadRequest('Invalid request: one of read, write or upload is required');
  const delay = body.in;
  if (typeof delay !== 'number' || !(delay > 0 && delay < MAX_DELAY)) {
    throw new BadRequest('Invalid request: in must be a number of seconds between 0 and 1000000000');
  }
  return { in: delay, values };
}
