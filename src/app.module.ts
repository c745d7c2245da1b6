import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { BatchModule } from './batch/batch.module';
import { BotsHttpModule } from './bots/api/bots-http.module';
import { BotsModule } from './bots/bots.module';
import { CapabilitiesModule } from './capabilities/capabilities.module';
import { CoreModule } from './core/core.module';
import { Runtime } from './core/runtime';
import { DmModule } from './dm/dm.module';
import { FilesModule } from './files/files.module';
import { HealthModule } from './health/health.module';
import { InvitesHttpModule } from './invites/invites-http.module';
import { InvitesModule } from './invites/invites.module';
import { JobsModule } from './jobs/jobs.module';
import { MessagesHttpModule } from './messages/messages-http.module';
import { MessagesModule } from './messages/messages.module';
import { MetricsHttpModule } from './metrics/metrics-http.module';
import { ModerationHttpModule } from './moderation/moderation-http.module';
import { ModerationModule } from './moderation/moderation.module';
import { OnionModule } from './onion-endpoint/onion.module';
import { RoomsHttpModule } from './rooms/rooms-http.module';
import { RoomsModule } from './rooms/rooms.module';
import { UsersModule } from './users/users.module';
import { WebModule } from './web/web.module';
import { WebhookDeliveryModule } from './webhooks/webhook-delivery.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** Feature modules shared by the HTTP server and the admin CLI. */
export const FEATURE_MODULES = [JobsModule, UsersModule, RoomsModule, ModerationModule, MessagesModule, FilesModule, InvitesModule, BotsModule, WebhooksModule];

/** Endpoints: only the HTTP server has these. */
const HTTP_MODULES = [
  AuthModule,
  HealthModule,
  CapabilitiesModule,
  RoomsHttpModule,
  MessagesHttpModule,
  ModerationHttpModule,
  DmModule,
  BatchModule,
  OnionModule,
  WebModule,
  InvitesHttpModule,
  WebhookDeliveryModule,
];

@Module({})
export class AppModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRuntime(runtime), ...FEATURE_MODULES, ...HTTP_MODULES, MetricsHttpModule.forConfig(runtime.config), BotsHttpModule.forConfig(runtime.config)],
    };
  }
}
