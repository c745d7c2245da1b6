import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Requests one client address made of the invite pages in one window (see InviteRateLimiter). */
@Entity('invite_page_hits')
export class InvitePageHit {
  /** A keyed hash of the address: the address itself is never stored. */
  @PrimaryColumn('bytea') address!: Buffer;
  /** The window's number: its start time divided by the window's length. */
  @PrimaryColumn('bigint') window!: number;
  @Column('integer') hits!: number;
}
