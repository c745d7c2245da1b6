import { OptionalBool } from '../../common/validation/validation.decorators';
import { ScopeFields, ScopeGlobal, ScopeRooms } from './scope.fields';

/**
 * POST /user/{sid}/moderator (§1.7, §8.2): the scope, then the (admin, moderator) pair and
 * `visible`. Which pairs make sense is `checkRoleChange`'s question, asked before the scope's rooms.
 */
export class SetModeratorDto implements ScopeFields {
  @ScopeGlobal()
  global?: boolean | null;

  @ScopeRooms()
  rooms?: string[] | null;

  @OptionalBool()
  admin?: boolean | null;

  @OptionalBool()
  moderator?: boolean | null;

  /** Default: visible for room appointments, hidden for global ones. */
  @OptionalBool()
  visible?: boolean | null;
}
