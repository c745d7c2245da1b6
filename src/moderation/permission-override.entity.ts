import { Check, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Flag, OptionalFlag } from '../database/columns';
import { Room } from '../rooms/room.entity';
import { User } from '../users/user.entity';

/** A user's ban, role or permission overrides in one room (§8); null permissions = the room default. */
@Entity('user_permission_overrides')
@Check('user_permission_overrides_not_banned_staff', 'NOT (banned AND (moderator OR admin))')
export class PermissionOverride {
  @PrimaryColumn('bigint') @ForeignKey(() => Room, { onDelete: 'CASCADE' }) room!: number;
  @PrimaryColumn('bigint') @ForeignKey(() => User, { onDelete: 'CASCADE' }) user!: number;
  @Flag(false) banned!: boolean;
  @OptionalFlag() read!: boolean | null;
  @OptionalFlag() accessible!: boolean | null;
  @OptionalFlag() write!: boolean | null;
  @OptionalFlag() upload!: boolean | null;
  @Flag(false) moderator!: boolean;
  @Flag(false) admin!: boolean;
  @Flag(true) visible_mod!: boolean;
}
