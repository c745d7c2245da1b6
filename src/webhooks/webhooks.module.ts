import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig, CONFIG } from '../config/config';
import { CleanupService } from '../jobs/cleanup.service';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEvents } from './webhook-events.service';
import { Webhook } from './webhook.entity';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/**
 * Webhooks without the delivery loop: the event recorder the services call in their transactions,
 * and the admin commands' service. The admin CLI loads this one; the server adds the loop
 * (WebhookDeliveryModule).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Webhook, WebhookDelivery])],
  providers: [WebhooksRepository, WebhookEvents, WebhooksService],
  exports: [WebhookEvents, WebhooksService, WebhooksRepository],
})
export class WebhooksModule implements OnModuleInit {
  constructor(
    private readonly cleanup: CleanupService,
    private readonly repo: WebhooksRepository,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const keep = this.config.webhooks.keep;
    if (keep) this.cleanup.register('webhook deliveries', (tx, now) => this.repo.prune(now - keep, tx));
  }
}
