import { Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { TimeColumn } from '../database/columns';
import { User } from '../users/user.entity';
import { Reaction } from './reaction.entity';

/** A user's reaction; its triggers advance the room sequence (see the initial migration's header). */
@Entity('user_reactions')
@Index('user_reactions_reaction_at_idx', ['reaction', 'at'])
export class UserReaction {
  // Checked at commit, to keep the lock order (see the initial migration); the cascade is immediate.
  @PrimaryColumn('bigint') @ForeignKey(() => Reaction, { onDelete: 'CASCADE', deferrable: 'INITIALLY DEFERRED' }) reaction!: number;
  @PrimaryColumn('bigint') @ForeignKey(() => User, { onDelete: 'CASCADE' }) user!: number;
  @TimeColumn({ now: true }) at!: number;
}
