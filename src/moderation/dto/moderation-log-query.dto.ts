import { Transform } from 'class-transformer';
import { IsInt, IsOptional } from 'class-validator';
import { Checks, ClampedInt } from '../../common/validation/validation.decorators';

/** GET moderation/log and room/{token}/moderation/log: `before` (an entry id: older entries only), `limit` 1–1000. */
export class ModerationLogQueryDto {
  @Checks(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value)),
    IsOptional(),
    IsInt({ message: 'Invalid before: expected a log entry id' }),
  )
  before?: number;

  @ClampedInt(1, 1000)
  limit = 100;
}
