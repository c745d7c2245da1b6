import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { OptionalUser } from '../auth/auth-user.decorator';
import { pathInt } from '../common/request-input';
import { User } from '../users/user';
import { PinsService } from './pins.service';

/** Request bodies are ignored (clients send `{}`); anonymous callers get the admin check's 403. */
@Controller('room/:token')
export class PinsController {
  constructor(private readonly pins: PinsService) {}

  @Post('pin/:msg_id')
  @HttpCode(200)
  pin(@OptionalUser() user: User | null, @Param('token') token: string, @Param('msg_id') id: string) {
    return this.pins.pin(token, user, pathInt(id));
  }

  @Post('unpin/all')
  @HttpCode(200)
  unpinAll(@OptionalUser() user: User | null, @Param('token') token: string) {
    return this.pins.unpinAll(token, user);
  }

  @Post('unpin/:msg_id')
  @HttpCode(200)
  unpin(@OptionalUser() user: User | null, @Param('token') token: string, @Param('msg_id') id: string) {
    return this.pins.unpin(token, user, pathInt(id));
  }
}
