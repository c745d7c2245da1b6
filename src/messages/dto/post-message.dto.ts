import { IsOptional, IsString } from 'class-validator';
import { Checks, OptionalBool } from '../../common/validation/validation.decorators';
import { MessageData, MessageFiles, MessageSignature } from './message-content.fields';

/**
 * POST /room/{token}/message (§1.5). The fields repeat EditMessageDto's rather than extend it:
 * class-validator reports a subclass's own fields first, and the content's 400 comes first.
 */
export class PostMessageDto {
  @MessageData()
  data!: string;

  @MessageSignature()
  signature!: string;

  @MessageFiles()
  files?: Array<number | string> | null;

  /** A session id, checked (and its user looked up) after the whisper permission. */
  @Checks(IsOptional(), IsString({ message: 'Invalid request: whisper_to must be a session id' }))
  whisper_to?: string | null;

  @OptionalBool()
  whisper_mods?: boolean | null;
}
