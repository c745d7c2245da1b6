import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ModerationLogModule } from '../moderation/moderation-log.module';
import { RoomActivityRepository } from './room-activity.repository';
import { RoomActivityService } from './room-activity.service';
import { RoomArrivals } from './room-arrivals';
import { PinnedMessage } from './pinned-message.entity';
import { RoomUser } from './room-user.entity';
import { Room } from './room.entity';
import { RoomsRepository } from './rooms.repository';
import { RoomsService } from './rooms.service';

@Module({
  imports: [TypeOrmModule.forFeature([Room, RoomUser, PinnedMessage]), ModerationLogModule],
  providers: [RoomsRepository, RoomsService, RoomActivityRepository, RoomActivityService, RoomArrivals],
  exports: [RoomsService, RoomsRepository, RoomActivityService, RoomArrivals],
})
export class RoomsModule {}
