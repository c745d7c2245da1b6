import type { UpdateRoomDto } from './dto/update-room.dto';
import { PERMISSIONS } from './room';

/** A PUT /room/{token} body as changes to the room: only the keys to change. */
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

/** The changes a validated body asks for: `default_*` null or absent changes nothing. */
export function roomSettings(dto: UpdateRoomDto): RoomSettings {
  const settings: RoomSettings = {};
  if (dto.name !== undefined) settings.name = dto.name;
  if (dto.description !== undefined) settings.description = dto.description;
  if (dto.image !== undefined) settings.image = dto.image;
  for (const p of PERMISSIONS) {
    const flag = dto[`default_${p}`];
    if (flag !== undefined && flag !== null) settings[p] = flag;
  }
  return settings;
}

/** The changes as the audit log shows them: default permissions under their API names. */
export function loggedSettings(settings: RoomSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) out[(PERMISSIONS as readonly string[]).includes(key) ? `default_${key}` : key] = value;
  return out;
}
