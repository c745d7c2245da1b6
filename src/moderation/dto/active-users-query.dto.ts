import { ClampedInt } from '../../common/validation/validation.decorators';

/** GET room/{token}/users: `active_days` 1–365 (default: the room's active threshold), `limit` 1–10000. */
export class ActiveUsersQueryDto {
  @ClampedInt(1, 365)
  active_days?: number;

  @ClampedInt(1, 10000)
  limit = 1000;
}
