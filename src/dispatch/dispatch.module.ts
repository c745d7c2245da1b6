import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SubrequestDispatcher } from './subrequest-dispatcher';

@Module({ imports: [AuthModule], providers: [SubrequestDispatcher], exports: [SubrequestDispatcher] })
export class DispatchModule {}
