import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { uploadsDir } from '../core/data-dir';
import { AppConfig, CONFIG } from '../config/config';
import { ModerationModule } from '../moderation/moderation.module';
import { RoomsModule } from '../rooms/rooms.module';
import { Clock } from '../common/clock';
import { Db } from '../database/db';
import { DatabaseFileStorage } from './database-file-storage';
import { FileChunksRepository } from './file-chunks.repository';
import { FileStorage } from './file-storage';
import { LocalFileStorage } from './local-file-storage';
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
    { provide: FileStorage, inject: [CONFIG, Db, Clock], useFactory: fileStorage },
  ],
  exports: [FilesService],
})
export class FilesModule {}

/** The storage `SOGS_FILE_STORAGE` names. */
function fileStorage(config: AppConfig, db: Db, clock: Clock): FileStorage {
  switch (config.fileStorage) {
    case 'local':
      return new LocalFileStorage(uploadsDir(config), () => clock.now());
    case 'database':
      return new DatabaseFileStorage(new FileChunksRepository(db), () => clock.now());
  }
}
