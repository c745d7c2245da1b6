import { ValidateBy } from 'class-validator';
import { OptionalBool, Rule } from '../../common/validation/validation.decorators';
import type { ScheduledValues } from '../moderation.service';

/** Seconds from now at which a scheduled change happens: a JSON number in (0, 1e9). */
const MAX_DELAY = 1_000_000_000;

const SCHEDULABLE = ['read', 'write', 'upload'] as const;

/** POST /room/{token}/futurePermissions/{sid} (§1.7, §8.4): values to set `in` seconds from now. */
export class SchedulePermissionsDto {
  @OptionalBool()
  read?: boolean | null;

  @OptionalBool()
  write?: boolean | null;

  @OptionalBool()
  upload?: boolean | null;

  @Rule('Invalid request: one of read, write or upload is required')
  protected get schedulesSomething(): boolean {
    return Object.keys(scheduledValues(this)).length > 0;
  }

  @ValidateBy(
    { name: 'isDelay', validator: { validate: (v: unknown) => typeof v === 'number' && v > 0 && v < MAX_DELAY } },
    { message: `Invalid request: in must be a number of seconds between 0 and ${MAX_DELAY}` },
  )
  in!: number;
}

/** The values to schedule; null ones change nothing. */
export function scheduledValues(dto: SchedulePermissionsDto): ScheduledValues {
  const values: ScheduledValues = {};
  for (const p of SCHEDULABLE) {
    const v = dto[p];
    if (v !== undefined && v !== null) values[p] = v;
  }
  return values;
}
