import { Injectable } from '@nestjs/common';
import { NotAcceptable } from '../common/errors';
import { Db } from '../database/db';
import { Clock } from '../common/clock';
import { ModerationLogRepository } from '../moderation/moderation-log.repository';
import { PermissionsService } from '../moderation/permissions.service';
import { User } from '../users/user';
import { loggedSettings, parseRoomSettings } from './room-settings';
import { RoomsRepository } from './rooms.repository';
import { RoomsService } from './rooms.service';

/** PUT /room/{token} (§1.4): room admins change the room's details and default permissions. */
@Injectable()
export class RoomSettingsService {
  constructor(
    private readonly rooms: RoomsService,
    private readonly repo: RoomsRepository,
    private readonly permissions: PermissionsService,
    private readonly log: ModerationLogRepository,
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks come in the reference's order: room (404), admin (403), then the body (400, 406). The
   * triggers count name, description and image changes into info_updates (default permissions do
   * not count); the new image becomes permanent and the old one expires.
   */
  async update(token: string, user: User, body: Record<string, unknown>): Promise<{ info_updates: number }> {
    const room = await this.rooms.get(token);
    await this.permissions.require(room, user, 'admin');
    const settings = parseRoomSettings(body);
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
