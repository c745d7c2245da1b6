import { Controller, HttpCode, Post } from '@nestjs/common';
import { OptionalUser } from '../auth/auth-user.decorator';
import { PathInt } from '../common/request-input';
import { User } from '../users/user.entity';
import { PinsService } from './pins.service';
import { CurrentRoom, RoomAccess } from './room-access.decorator';
import { RoomContext } from './room-access.guard';

/**
 * Request bodies are ignored (clients send `{}`). Anonymous callers get the admin check's 403, not
 * 401, so the user is optional here; past that check it is always there.
 */
@Controller('room/:token')
export class PinsController {
  constructor(private readonly pins: PinsService) {}

  @Post('pin/:msg_id')
  @HttpCode(200)
  @RoomAccess('admin')
  pin(@OptionalUser() user: User | null, @CurrentRoom() room: RoomContext, @PathInt('msg_id') id: number) {
    return this.pins.pin(room, user!, id);
  }

  @Post('unpin/all')
  @HttpCode(200)
  @RoomAccess('admin')
  unpinAll(@OptionalUser() user: User | null, @CurrentRoom() room: RoomContext) {
    return this.pins.unpinAll(room, user!);
  }

  @Post('unpin/:msg_id')
  @HttpCode(200)
  @RoomAccess('admin')
  unpin(@OptionalUser() user: User | null, @CurrentRoom() room: RoomContext, @PathInt('msg_id') id: number) {
    return this.pins.unpin(room, user!, id);
  }
}
