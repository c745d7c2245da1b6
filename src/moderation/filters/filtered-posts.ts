import { Injectable } from '@nestjs/common';
import { Room } from '../../rooms/room.entity';
import { User } from '../../users/user.entity';

export type FilteredPostListener = (room: Room, user: User, data: Buffer) => Promise<void>;

/**
 * A post the content filters stopped (silently or with 429): the bots module listens and sends the
 * filter bot's reply (§7.8). The listener never throws: the poster's answer stays what it was.
 */
@Injectable()
export class FilteredPosts {
  private listener?: FilteredPostListener;

  listen(listener: FilteredPostListener): void {
    this.listener = listener;
  }

  async filtered(room: Room, user: User, data: Buffer): Promise<void> {
    await this.listener?.(room, user, data);
  }
}
