import { BadRequest } from '../common/errors';
import { cleanRoomDescription, cleanRoomName, Permission, PERMISSIONS } from './room';

/** A validated PUT /room/{token} body: only the keys to change. */
export interface RoomSettings {
  name?: string;
  description?: string | null;
  /** A file id; whether it names a file of the room is checked against the database. */
  image?: number;
  read?: boolean;
  accessible?: boolean;
  write?: boolean;
  upload?: boolean;
}

/**
 * §1.4: `name` a string (every control character removed), `description` a string (control
 * characters but tab and newline removed; empty means none) or null, `image` an integer,
 * `default_*` booleans or integers (null: unchanged). Other keys are ignored; something must
 * change. A name left empty would break clients' joins (§2.2 of the clients notes), so it is a 400.
 */
export function parseRoomSettings(body: Record<string, unknown>): RoomSettings {
  const settings: RoomSettings = {};
  if (body.name !== undefined) {
    if (typeof body.name !== 'string') throw new BadRequest('Invalid name: expected a string');
    settings.name = cleanRoomName(body.name);
    if (!settings.name) throw new BadRequest('Invalid name: must not be empty');
  }
  if (body.description !== undefined) {
    const d = body.description;
    if (d !== null && typeof d !== 'string') throw new BadRequest('Invalid description: expected a string or null');
    settings.description = d === null ? null : cleanRoomDescription(d);
  }
  if (body.image !== undefined) {
    if (typeof body.image !== 'number' || !Number.isInteger(body.image)) throw new BadRequest('Invalid image: expected a file id');
    settings.image = body.image;
  }
  for (const p of PERMISSIONS) {
    const flag = defaultFlag(body[`default_${p}`], p);
    if (flag !== undefined) settings[p] = flag;
  }
  if (!Object.keys(settings).length) throw new BadRequest('Nothing to update');
  return settings;
}

/** The changes as the audit log shows them: default permissions under their API names. */
export function loggedSettings(settings: RoomSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) out[(PERMISSIONS as readonly string[]).includes(key) ? `default_${key}` : key] = value;
  return out;
}

function defaultFlag(value: unknown, p: Permission): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return value !== 0;
  throw new BadRequest(`Invalid default_${p}: expected a boolean`);
}
