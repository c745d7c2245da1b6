import { IsOptional, IsString } from 'class-validator';
import { Checks } from '../../common/validation/validation.decorators';

/** GET /capabilities (§1.3): `required`, comma-separated names, given at most once. */
export class CapabilitiesQueryDto {
  @Checks(IsOptional(), IsString({ message: 'required must be given once' }))
  required?: string;
}
