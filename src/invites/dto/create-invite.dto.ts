import { IsInt, IsOptional, Matches, Max, Min, ValidateBy } from 'class-validator';
import { Checks } from '../../common/validation/validation.decorators';
import { GRANT_LETTERS } from '../invite-grant';

export const MAX_INVITE_USES = 1_000_000;
/** Seconds from now: a JSON number in (0, 1e9), as the other durations of the API. */
const MAX_EXPIRY = 1_000_000_000;

/**
 * POST /room/{token}/invites: `uses` (default 1), `expires` in seconds from now (default never),
 * `grant` as letters of `rwu` (default `rwu`: read, write, upload).
 */
export class CreateInviteDto {
  @Checks(
    IsOptional(),
    IsInt({ message: `Invalid request: uses must be a whole number from 1 to ${MAX_INVITE_USES}` }),
    Min(1, { message: `Invalid request: uses must be a whole number from 1 to ${MAX_INVITE_USES}` }),
    Max(MAX_INVITE_USES, { message: `Invalid request: uses must be a whole number from 1 to ${MAX_INVITE_USES}` }),
  )
  uses?: number | null;

  @Checks(
    IsOptional(),
    ValidateBy(
      { name: 'isExpiry', validator: { validate: (v: unknown) => typeof v === 'number' && v > 0 && v < MAX_EXPIRY } },
      { message: `Invalid request: expires must be a number of seconds between 0 and ${MAX_EXPIRY}` },
    ),
  )
  expires?: number | null;

  @Checks(
    IsOptional(),
    Matches(GRANT_LETTERS, { message: 'Invalid request: grant must be letters from r (read), w (write), u (upload), each at most once' }),
  )
  grant?: string | null;
}
