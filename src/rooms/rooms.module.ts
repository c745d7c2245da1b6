import { Module } from '@nestjs/common';
import { ModerationLogModule } from '../moderation/moderation-log.module';
import { RoomActivityRepository } from './room-activity.repository';
import { RoomActivityService } from './room-activity.service';
import { RoomsRepository } from './rooms.repository';
import { RoomsService } from './rooms.service';

@Module({
  imports: [ModerationLogModule],
  providers: [RoomsRepository, RoomsService, RoomActivityRepository, RoomActivityService],
  exports: [RoomsService, RoomsRepository, RoomActivityService],
})
export class RoomsModule {}
