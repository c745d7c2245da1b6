import { Module } from '@nestjs/common';
import { DispatchModule } from '../dispatch/dispatch.module';
import { BatchController } from './batch.controller';
import { BatchService } from './batch.service';

@Module({ imports: [DispatchModule], controllers: [BatchController], providers: [BatchService] })
export class BatchModule {}
