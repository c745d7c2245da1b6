import { IsNumber, IsOptional } from 'class-validator';
import { Checks } from '../../common/validation/validation.decorators';
import { ScopeFields, ScopeGlobal, ScopeRooms } from './scope.fields';

/** POST /user/{sid}/ban (§1.7): the scope and an optional `timeout` in seconds (null: permanent). */
export class BanUserDto implements ScopeFields {
  @ScopeGlobal()
  global?: boolean | null;

  @ScopeRooms()
  rooms?: string[] | null;

  @Checks(IsOptional(), IsNumber({}, { message: 'Invalid request: timeout must be a number of seconds' }))
  timeout?: number | null;
}
