import { Injectable } from '@nestjs/common';
import { NotAcceptable } from '../common/errors';
import { Db } from '../database/db';
import { Clock } from '../common/clock';
import { ModerationLogRepository } from '../moderation/moderation-log.repository';
import { User } from '../users/user.entity';
import { UpdateRoomDto } from './dto/update-room.dto';
import { RoomContext } from './room-access.guard';
import { loggedSettings, roomSettings } from './room-settings';
import { RoomsRepository } from './rooms.repository';

/** PUT /room/{token} (§1.4): room admins change the room's details and default permissions. */
@Injectable()
export class RoomSettingsService {
  constructor(
    private readonly repo: RoomsRepository,
    private readonly log: ModerationLogRepository,
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks come in the reference's order: room (404) and admin (403) in RoomAccessGuard, the body
   * (400) in its DTO, then the image (406) here. The triggers count name, description and image
   * changes into info_updates (default permissions do not count); the new image becomes permanent
   * and the old one expires.
   */
  async update({ room }: RoomContext, user: User, dto: UpdateRoomDto): Promise<{ info_updates: number }> {
    const settings = roomSettings(dto);
    return this.db.transaction(async (tx) => {
      const { image } = settings;
      if (image !== undefined && !(Number.isSafeInteger(image) && (await this.repo.lockRoomFile(image, room.id, tx)))) {
        throw new NotAcceptable('Invalid image: not a file of this room');
      }
      const updated = await this.repo.update(room.id, settings, tx);
      await this.log.record({ at: this.clock.now(), actor: user.id, action: 'update_room', room: room.id, details: loggedSettings(settings) }, tx);
      return { info_updates: updated.info_updates };
    });
  }
}
