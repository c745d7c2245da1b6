import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, ValidateNested } from 'class-validator';
import { Checks } from '../../common/validation/validation.decorators';
import { SubrequestDto } from './subrequest.dto';

/** pysogs sets no limit; a poll holds a few entries per room, so 100 leaves ample room. */
export const MAX_SUBREQUESTS = 100;

/**
 * A /batch or /sequence body: a JSON list, handed over by `@JsonBody('subrequests')`. Every
 * element is checked before any runs (§5): one bad element makes the whole call a 400.
 */
export class BatchRequestDto {
  @Type(() => SubrequestDto)
  // class-validator would check the items of a list inside the list as subrequests of their own;
  // a list is no more a subrequest than a string is.
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v: unknown) => (Array.isArray(v) ? 'a list' : v)) : value))
  @Checks(
    IsArray({ message: 'Invalid request: expected a JSON array of subrequests' }),
    ArrayMaxSize(MAX_SUBREQUESTS, { message: `Invalid request: at most ${MAX_SUBREQUESTS} subrequests are allowed` }),
    ValidateNested({ each: true, message: 'Invalid request: subrequest $index: expected an object' }),
  )
  subrequests!: SubrequestDto[];
}
