import { IsOptional, IsString } from 'class-validator';
import { Checks, ClampedInt } from '../../common/validation/validation.decorators';

/*
 * Query strings of the message endpoints (§1.5, §7.4): `limit` 1–256 (default 100) and `reactors`
 * 0–20 (default 4) are clamped, not rejected; a value that is not an integer is a 400
 * `Invalid <name>`. class-validator checks a subclass's own keys before inherited ones, and
 * inherited ones class by class, so each class lists the keys in the order they are checked.
 */

const Reactors = () => ClampedInt(0, 20);

/** GET message/{id}: how many reactors to list per reaction. */
export class ReactorsQueryDto {
  @Reactors()
  reactors = 4;
}

/** GET messages/recent and messages/before/{id}. */
export class MessagesPageQueryDto {
  @ClampedInt(1, 256)
  limit = 100;

  @Reactors()
  reactors = 4;
}

/** GET messages/since/{seqno}: `t` is a string of flags, `r` asking for reaction-only updates. */
export class MessagesSinceQueryDto extends MessagesPageQueryDto {
  @Checks(IsOptional(), IsString({ message: 'Invalid t' }))
  t?: string;
}
