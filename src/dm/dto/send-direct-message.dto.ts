import { IsString } from 'class-validator';
import { Checks, IsBase64Bytes } from '../../common/validation/validation.decorators';

/** POST /inbox/{blinded_sid} (§10): the encrypted message, opaque to the server. */
export class SendDirectMessageDto {
  @Checks(
    IsString({ message: 'Invalid request: message must be a base64 string' }),
    IsBase64Bytes(null, { message: 'Invalid request: message is not valid base64' }),
  )
  message!: string;
}
