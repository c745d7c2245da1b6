import { ClampedInt } from '../../common/validation/validation.decorators';

/** GET inbox, outbox and their `since/{id}` forms (§10): `limit` 1–256, default 100, clamped. */
export class DirectMessagesQueryDto {
  @ClampedInt(1, 256)
  limit = 100;
}
