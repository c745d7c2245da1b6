import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { DirectMessage } from './direct-message.entity';
import { DmController } from './dm.controller';
import { DmRepository } from './dm.repository';
import { DmService } from './dm.service';

@Module({ imports: [TypeOrmModule.forFeature([DirectMessage]), UsersModule], controllers: [DmController], providers: [DmRepository, DmService] })
export class DmModule {}
