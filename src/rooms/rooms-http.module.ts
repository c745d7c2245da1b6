import { Module } from '@nestjs/common';
import { ModerationModule } from '../moderation/moderation.module';
import { PinsController } from './pins.controller';
import { PinsRepository } from './pins.repository';
import { PinsService } from './pins.service';
import { RoomInfoService } from './room-info.service';
import { RoomSettingsService } from './room-settings.service';
import { RoomsController } from './rooms.controller';
import { RoomsModule } from './rooms.module';

/** The room endpoints (§1.4) and pins (§1.5); kept apart from RoomsModule, which the CLI loads. */
@Module({
  imports: [RoomsModule, ModerationModule],
  controllers: [RoomsController, PinsController],
  providers: [RoomInfoService, RoomSettingsService, PinsRepository, PinsService],
})
export class RoomsHttpModule {}
