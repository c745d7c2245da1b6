import { ScopeFields, ScopeGlobal, ScopeRooms } from './scope.fields';

/** POST /user/{sid}/unban (§1.7): the scope only. */
export class UnbanUserDto implements ScopeFields {
  @ScopeGlobal()
  global?: boolean | null;

  @ScopeRooms()
  rooms?: string[] | null;
}
