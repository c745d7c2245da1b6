import { Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { RefColumn } from '../database/columns';
import { User } from './user.entity';

/** An unblinded (05) user who holds a role or ban, waiting for its blinded (15) id to appear (§3.5). */
@Entity('needs_blinding')
export class NeedsBlinding {
  @PrimaryColumn('text') blinded_abs!: string;
  @RefColumn({ unique: true }) @ForeignKey(() => User, { onDelete: 'CASCADE' }) user!: number;
}
