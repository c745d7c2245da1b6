import { IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';
import { Checks } from '../../../common/validation/validation.decorators';

/** Longest text a bot posts in one message (Session clients cap typed messages near this). */
export const BOT_TEXT_MAX = 6000;

/** POST /bots/{name}/rooms/{token}/messages. */
export class PostBotMessageDto {
  @Checks(
    IsString({ message: 'Invalid request: text must be a string' }),
    MinLength(1, { message: 'Invalid request: text must not be empty' }),
    MaxLength(BOT_TEXT_MAX, { message: `Invalid request: text must be at most ${BOT_TEXT_MAX} characters` }),
  )
  text!: string;

  /** A session id (05… or 15…): a whisper to that user. */
  @Checks(IsOptional(), IsString({ message: 'Invalid request: whisper_to must be a session id' }))
  whisper_to?: string | null;

  /** Id of the room's message to quote. */
  @Checks(IsOptional(), IsInt({ message: 'Invalid request: reply_to must be a message id' }), Min(1, { message: 'Invalid request: reply_to must be a message id' }))
  reply_to?: number | null;
}
