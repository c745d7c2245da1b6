import { Controller, Get, Param, Put } from '@nestjs/common';
import { OptionalUser, RequiredUser } from '../auth/auth-user.decorator';
import { JsonObjectBody, pathInt } from '../common/request-input';
import { User } from '../users/user';
import { RoomInfoService } from './room-info.service';
import { RoomSettingsService } from './room-settings.service';

@Controller()
export class RoomsController {
  constructor(
    private readonly info: RoomInfoService,
    private readonly settings: RoomSettingsService,
  ) {}

  @Get('rooms')
  list(@OptionalUser() user: User | null) {
    return this.info.list(user);
  }

  @Get('room/:token')
  get(@OptionalUser() user: User | null, @Param('token') token: string) {
    return this.info.get(token, user);
  }

  @Put('room/:token')
  update(@RequiredUser() user: User, @Param('token') token: string, @JsonObjectBody() body: Record<string, unknown>) {
    return this.settings.update(token, user, body);
  }

  @Get('room/:token/pollInfo/:info_updated')
  pollInfo(@OptionalUser() user: User | null, @Param('token') token: string, @Param('info_updated') infoUpdated: string) {
    return this.info.poll(token, user, pathInt(infoUpdated));
  }
}
