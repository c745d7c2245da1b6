import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { Authenticated, RequiredUser } from '../auth/auth-user.decorator';
import { JsonBody, PathInt } from '../common/request-input';
import { CurrentRoom, RoomAccess } from '../rooms/room-access.decorator';
import { RoomContext } from '../rooms/room-access.guard';
import { User } from '../users/user.entity';
import { CreateInviteDto } from './dto/create-invite.dto';
import { parseGrant } from './invite-grant';
import { InvitesService } from './invites.service';

/** A room's invites, for its moderators: make one (the answer holds its code, shown only then), list, revoke. */
@Controller('room/:token/invites')
export class InvitesController {
  constructor(private readonly invites: InvitesService) {}

  @Post()
  @HttpCode(201)
  @RoomAccess('moderator')
  create(@RequiredUser() user: User, @CurrentRoom() { room }: RoomContext, @JsonBody() body: CreateInviteDto) {
    return this.invites.create(user, room, {
      uses: body.uses ?? undefined,
      expires: body.expires ?? null,
      grant: body.grant == null ? undefined : parseGrant(body.grant),
    });
  }

  @Get()
  @Authenticated()
  @RoomAccess('moderator')
  list(@CurrentRoom() { room }: RoomContext) {
    return this.invites.list(room);
  }

  @Delete(':id')
  @RoomAccess('moderator')
  revoke(@RequiredUser() user: User, @CurrentRoom() { room }: RoomContext, @PathInt('id') id: number) {
    return this.invites.revoke(user, id, room);
  }
}
