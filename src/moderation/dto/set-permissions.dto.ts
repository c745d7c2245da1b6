import { ValidateBy } from 'class-validator';
import { Checks, OptionalBool, Rule } from '../../common/validation/validation.decorators';
import { PERMISSIONS } from '../../rooms/room';
import type { PermissionChange } from '../moderation.service';

/** `default_X: true` (back to the room default) contradicts an explicit `X`. */
const DefaultFlag = (permission: string) =>
  Checks(
    OptionalBool(),
    ValidateBy(
      {
        name: 'notWithExplicit',
        validator: { validate: (value: unknown, args) => value !== true || (args?.object as Record<string, unknown>)[permission] == null },
      },
      { message: `Invalid request: cannot give both ${permission} and $property` },
    ),
  );

/**
 * POST /room/{token}/permissions/{sid} (§1.7): `X: bool` sets an override, `default_X: true`
 * clears it, null or absent changes nothing, and a request must change something. Scheduled
 * changes of the same permissions are dropped unless `unschedule` is false.
 */
export class SetPermissionsDto {
  @OptionalBool()
  read?: boolean | null;

  @DefaultFlag('read')
  default_read?: boolean | null;

  @OptionalBool()
  accessible?: boolean | null;

  @DefaultFlag('accessible')
  default_accessible?: boolean | null;

  @OptionalBool()
  write?: boolean | null;

  @DefaultFlag('write')
  default_write?: boolean | null;

  @OptionalBool()
  upload?: boolean | null;

  @DefaultFlag('upload')
  default_upload?: boolean | null;

  @Rule('Invalid request: no permission changes given')
  protected get changesSomething(): boolean {
    return Object.keys(permissionChange(this)).length > 0;
  }

  @OptionalBool()
  unschedule?: boolean | null;
}

/** The overrides the body sets (true/false) or clears (null). */
export function permissionChange(dto: SetPermissionsDto): PermissionChange {
  const change: PermissionChange = {};
  for (const p of PERMISSIONS) {
    const value = dto[p];
    if (value !== undefined && value !== null) change[p] = value;
    else if (dto[`default_${p}`] === true) change[p] = null;
  }
  return change;
}
