import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import * as path from 'node:path';
import { AppConfig, CONFIG } from '../config/config';
import { ModerationModule } from '../moderation/moderation.module';
import { RoomsModule } from '../rooms/rooms.module';
import { FileStorage, LocalFileStorage } from './file-storage';
import { FilesController } from './files.controller';
import { FilesRepository } from './files.repository';
import { FilesService } from './files.service';
import { StoredFile } from './stored-file.entity';
import { UploadLimitHook } from './upload-limit.hook';

/** Uploads, downloads and their cleanup (§9); loaded by the server and the admin CLI (room images). */
@Module({
  imports: [TypeOrmModule.forFeature([StoredFile]), RoomsModule, ModerationModule],
  controllers: [FilesController],
  providers: [
    FilesRepository,
    FilesService,
    UploadLimitHook,
    { provide: FileStorage, inject: [CONFIG], useFactory: (config: AppConfig) => new LocalFileStorage(path.join(config.dataDir, 'uploads')) },
  ],
  exports: [FilesService],
})
export class FilesModule {}
