import { Controller, Get, Param, Put } from '@nestjs/common';
import { OptionalUser, RequiredUser } from '../auth/auth-user.decorator';
import { JsonBody, PathInt } from '../common/request-input';
import { User } from '../users/user.entity';
import { UpdateRoomDto } from './dto/update-room.dto';
import { CurrentRoom, RoomAccess } from './room-access.decorator';
import { RoomContext } from './room-access.guard';
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

  /** 404 for a room the caller may not see, as for one that does not exist (not the guard's 403). */
  @Get('room/:token')
  get(@OptionalUser() user: User | null, @Param('token') token: string) {
    return this.info.get(token, user);
  }

  @Put('room/:token')
  @RoomAccess('admin')
  update(@RequiredUser() user: User, @CurrentRoom() room: RoomContext, @JsonBody() body: UpdateRoomDto) {
    return this.settings.update(room, user, body);
  }

  @Get('room/:token/pollInfo/:info_updated')
  @RoomAccess('read')
  pollInfo(@OptionalUser() user: User | null, @CurrentRoom() room: RoomContext, @PathInt('info_updated') infoUpdated: number) {
    return this.info.poll(room, user, infoUpdated);
  }
}
