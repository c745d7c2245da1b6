import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ModerationModule } from '../moderation/moderation.module';
import { UsersModule } from '../users/users.module';
import { InvitesRepository } from './invites.repository';
import { InvitesService } from './invites.service';
import { RoomInvite } from './room-invite.entity';

/** Invites to rooms: what the admin CLI and the endpoints share. */
@Module({
  imports: [TypeOrmModule.forFeature([RoomInvite]), UsersModule, ModerationModule],
  providers: [InvitesRepository, InvitesService],
  exports: [InvitesService],
})
export class InvitesModule {}
