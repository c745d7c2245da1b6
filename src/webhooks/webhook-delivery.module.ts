import { Module } from '@nestjs/common';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhooksModule } from './webhooks.module';

/** The delivery loop: only server processes run it, never an admin command. */
@Module({
  imports: [WebhooksModule],
  providers: [WebhookDeliveryService],
  exports: [WebhookDeliveryService],
})
export class WebhookDeliveryModule {}
