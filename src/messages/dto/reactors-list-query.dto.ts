import { ClampedInt } from '../../common/validation/validation.decorators';

/** GET reactors/{id}/{reaction}: at most `limit` reactors; 0 (the default) or less means all. */
export class ReactorsListQueryDto {
  @ClampedInt(0, Number.MAX_SAFE_INTEGER)
  limit = 0;
}
