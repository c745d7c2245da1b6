import { Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { RefColumn, TimeColumn } from '../database/columns';
import { User } from '../users/user.entity';

/** A request nonce, unique across every user and server instance for its lifetime (24 h). */
@Entity('user_request_nonces')
@Index('user_request_nonces_expiry_idx', ['expiry'])
export class RequestNonce {
  @PrimaryColumn('bytea') nonce!: Buffer;
  /** SET NULL: deleting a user must not forget nonces, which would reopen them to replay. */
  @RefColumn({ nullable: true }) @ForeignKey(() => User, { onDelete: 'SET NULL' }) user!: number | null;
  @TimeColumn() expiry!: number;
}
