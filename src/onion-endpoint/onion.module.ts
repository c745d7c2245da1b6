import { Module } from '@nestjs/common';
import { DispatchModule } from '../dispatch/dispatch.module';
import { OnionController } from './onion.controller';
import { OnionService } from './onion.service';

@Module({ imports: [DispatchModule], controllers: [OnionController], providers: [OnionService] })
export class OnionModule {}
