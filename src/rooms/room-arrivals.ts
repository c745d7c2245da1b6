import { Injectable } from '@nestjs/common';
import { User } from '../users/user.entity';
import { Room } from './room.entity';

export type ArrivalListener = (room: Room, user: User) => Promise<void>;

/**
 * A user polling, reading or posting in a room that has a welcome text (the bots module listens
 * and whispers it, once per user). Rooms without one cost a null check: this sits on the poll path.
 */
@Injectable()
export class RoomArrivals {
  private listener?: ArrivalListener;

  listen(listener: ArrivalListener): void {
    this.listener = listener;
  }

  async arrived(room: Room, user: User | null): Promise<void> {
    if (room.welcome == null || !user || !this.listener) return;
    await this.listener(room, user);
  }
}
