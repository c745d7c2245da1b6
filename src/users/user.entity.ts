import { Check, Column, Entity } from 'typeorm';
import { Flag, IdColumn, TimeColumn } from '../database/columns';

/** A Session account seen by this server (§13), by its 05 or 15 id; roles and bans that span every room. */
@Entity('users')
@Check('users_not_banned_staff', 'NOT (banned AND (moderator OR admin))')
export class User {
  @IdColumn() id!: number;
  @Column('text', { unique: true }) session_id!: string;
  @TimeColumn({ now: true }) created!: number;
  @TimeColumn({ now: true }) last_active!: number;
  @Flag(false) banned!: boolean;
  /** Global moderator (an admin is always one too: a trigger keeps it so). */
  @Flag(false) moderator!: boolean;
  @Flag(false) admin!: boolean;
  @Flag(false) visible_mod!: boolean;
}

/** Id of the internal system user (`ff` + server key), the actor of admin CLI commands. */
export const SYSTEM_USER_ID = 0;
