import { Module } from '@nestjs/common';
import { RoomsRepository } from './rooms.repository';
import { RoomsService } from './rooms.service';

@Module({ providers: [RoomsRepository, RoomsService], exports: [RoomsService] })
export class RoomsModule {}
