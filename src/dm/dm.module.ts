import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { DmController } from './dm.controller';
import { DmRepository } from './dm.repository';
import { DmService } from './dm.service';

@Module({ imports: [UsersModule], controllers: [DmController], providers: [DmRepository, DmService] })
export class DmModule {}
