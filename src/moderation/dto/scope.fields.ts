import { ArrayNotEmpty, IsArray, IsDefined, IsString, ValidateBy, ValidateIf } from 'class-validator';
import { Checks, OptionalBool } from '../../common/validation/validation.decorators';

/**
 * Where a moderator, ban or unban applies (§1.7): exactly one of `global: true` and `rooms`, a
 * non-empty list of room tokens or exactly `["*"]` (every room where the caller holds the role).
 * The three bodies declare these two fields first, with these decorators.
 */
export interface ScopeFields {
  global?: boolean | null;
  rooms?: string[] | null;
}

/** What the scope fields ask for; tokens are resolved (403 for unknown ones) by the service. */
export type ScopeInput = { global: true } | { rooms: string[] } | { allRooms: true };

export const ScopeGlobal = OptionalBool;

export const ScopeRooms = () =>
  Checks(
    // With `global: true`, rooms may only be absent (or null).
    ValidateIf((o: ScopeFields) => o.global !== true || (o.rooms !== undefined && o.rooms !== null)),
    IsDefined({ message: 'Invalid request: rooms or global is required' }),
    IsArray({ message: 'Invalid request: rooms must be a list of room tokens' }),
    ValidateBy(
      { name: 'notWithGlobal', validator: { validate: (_: unknown, args) => (args?.object as ScopeFields).global !== true } },
      { message: 'Invalid request: cannot specify both rooms and global' },
    ),
    ArrayNotEmpty({ message: 'Invalid request: rooms must not be empty' }),
    IsString({ each: true, message: 'Invalid request: rooms must be room tokens' }),
    ValidateBy(
      { name: 'starAlone', validator: { validate: (rooms: string[]) => !rooms.includes('*') || rooms.length === 1 } },
      { message: 'Invalid request: "*" cannot be combined with room tokens' },
    ),
  );

export function scopeInput(body: ScopeFields): ScopeInput {
  if (body.global) return { global: true };
  const rooms = body.rooms!;
  return rooms.includes('*') ? { allRooms: true } : { rooms };
}
