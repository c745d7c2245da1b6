import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, MinLength, ValidateIf } from 'class-validator';
import { Checks, Rule } from '../../common/validation/validation.decorators';
import { cleanRoomDescription, cleanRoomName } from '../room';
import { roomSettings } from '../room-settings';

/** `default_*`: a boolean, or an integer taken as one (0 is false); null changes nothing. */
const DefaultPermission = () =>
  Checks(
    Transform(({ value }: { value: unknown }) => (typeof value === 'number' && Number.isInteger(value) ? value !== 0 : value)),
    IsOptional(),
    IsBoolean({ message: 'Invalid $property: expected a boolean' }),
  );

/**
 * PUT /room/{token} (§1.4): every key optional, but something must change. Names lose every
 * control character and must keep something (clients cannot join a nameless room); descriptions
 * keep tab and newline, and an empty one means none. Whether `image` names a file of the room is
 * the service's question (406).
 */
export class UpdateRoomDto {
  @Checks(
    ValidateIf((o: UpdateRoomDto) => o.name !== undefined),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? cleanRoomName(value) : value)),
    IsString({ message: 'Invalid name: expected a string' }),
    MinLength(1, { message: 'Invalid name: must not be empty' }),
  )
  name?: string;

  @Checks(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? cleanRoomDescription(value) : value)),
    IsOptional(),
    IsString({ message: 'Invalid description: expected a string or null' }),
  )
  description?: string | null;

  @Checks(
    ValidateIf((o: UpdateRoomDto) => o.image !== undefined),
    IsInt({ message: 'Invalid image: expected a file id' }),
  )
  image?: number;

  @DefaultPermission()
  default_read?: boolean | null;

  @DefaultPermission()
  default_accessible?: boolean | null;

  @DefaultPermission()
  default_write?: boolean | null;

  @DefaultPermission()
  default_upload?: boolean | null;

  @Rule('Nothing to update')
  protected get changesSomething(): boolean {
    return Object.keys(roomSettings(this)).length > 0;
  }
}
