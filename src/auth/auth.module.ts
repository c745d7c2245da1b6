import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_GUARD } from '@nestjs/core';
import { CleanupService } from '../jobs/cleanup.service';
import { UsersModule } from '../users/users.module';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { InternalRequests } from './internal-requests';
import { NonceRepository } from './nonce.repository';
import { RequestNonce } from './request-nonce.entity';

@Module({
  imports: [TypeOrmModule.forFeature([RequestNonce]), UsersModule],
  providers: [AuthService, NonceRepository, InternalRequests, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, InternalRequests, NonceRepository],
})
export class AuthModule implements OnModuleInit {
  constructor(
    private readonly cleanup: CleanupService,
    private readonly nonces: NonceRepository,
  ) {}

  onModuleInit(): void {
    this.cleanup.register('expired nonces', (tx, now) => this.nonces.deleteExpired(now, tx));
  }
}
