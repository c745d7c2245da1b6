import { IsInt, IsString, Min } from 'class-validator';
import { Checks } from '../../../common/validation/validation.decorators';

/** POST /bots/{name}/rooms/{token}/reactions: add `reaction` to message `message`. */
export class BotReactionDto {
  @Checks(IsInt({ message: 'Invalid request: message must be a message id' }), Min(1, { message: 'Invalid request: message must be a message id' }))
  message!: number;

  /** Checked like a reaction path (1 to 12 code points) by the reactions service. */
  @Checks(IsString({ message: 'Invalid request: reaction must be a string' }))
  reaction!: string;
}
