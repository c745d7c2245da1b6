import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../config/config';

@Injectable()
export class CapabilitiesService {
  readonly capabilities: readonly string[];

  constructor(@Inject(CONFIG) config: AppConfig) {
    this.capabilities = ['sogs', 'reactions', ...(config.requireBlindKeys ? ['blind'] : [])].sort();
  }

  /** Names in `required` (comma-separated) that this server lacks, in request order. */
  missing(required: string): string[] {
    return required.split(',').filter((name) => !this.capabilities.includes(name));
  }
}
