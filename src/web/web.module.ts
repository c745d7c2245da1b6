import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module';
import { RoomsModule } from '../rooms/rooms.module';
import { WebController } from './web.controller';
import { WebRepository } from './web.repository';
import { WebService } from './web.service';

@Module({ imports: [RoomsModule, FilesModule], controllers: [WebController], providers: [WebRepository, WebService] })
export class WebModule {}
