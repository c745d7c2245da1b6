import { ClampedInt } from '../../../common/validation/validation.decorators';

/** GET /bots/{name}/rooms/{token}/messages/since/{seqno}?limit=N (1–256, clamped; default 100). */
export class BotMessagesQueryDto {
  @ClampedInt(1, 256)
  limit = 100;
}
