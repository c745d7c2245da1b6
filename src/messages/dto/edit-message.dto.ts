import { MessageData, MessageFiles, MessageSignature } from './message-content.fields';

/** PUT /room/{token}/message/{id} (§1.5): the new content; whisper flags cannot change. */
export class EditMessageDto {
  @MessageData()
  data!: string;

  @MessageSignature()
  signature!: string;

  @MessageFiles()
  files?: Array<number | string> | null;
}
