import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage, ValidationError } from 'class-validator';
import { BadRequest } from '../errors';

/** In a message, the position of the list item that failed (class-validator has no token for it). */
export const ITEM_INDEX = '$index';

const ARRAY_INDEX = /^\d+$/;

/**
 * The 400 text for failed validation: the message of the first failed check, which the DTOs word
 * exactly as the protocol does. Nested errors lead down to it through the first failing property
 * (and list item: its position replaces `$index`).
 */
export function validationErrorText(errors: ValidationError[]): string {
  let error: ValidationError | undefined = errors[0];
  let index: string | undefined;
  while (error) {
    if (index === undefined && ARRAY_INDEX.test(error.property)) index = error.property;
    const message = error.constraints && Object.values(error.constraints)[0];
    if (message !== undefined) return index === undefined ? message : message.split(ITEM_INDEX).join(index);
    error = error.children?.[0];
  }
  return 'Bad request';
}

/**
 * Validates DTOs only: classes that declare class-validator rules. Other typed parameters (the
 * user, an entity, which the guards resolved) are not input and pass untouched; the whitelist
 * would otherwise strip every property of an entity.
 */
class DtoValidationPipe extends ValidationPipe {
  protected override toValidate(metadata: ArgumentMetadata): boolean {
    const type = metadata.metatype;
    return super.toValidate(metadata) && !!type && getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length > 0;
  }
}

/**
 * The one pipe every JSON body and query string goes through: the parameter's DTO class says what
 * is valid. Unknown keys are dropped (clients send extra ones), values are converted where the DTO
 * says so, bodies read by `@JsonBody()` are validated like `@Body()` ones would be, and the first
 * failed check answers (400, plain text, through ErrorFilter).
 */
export function createValidationPipe(): ValidationPipe {
  return new DtoValidationPipe({
    whitelist: true,
    transform: true,
    validateCustomDecorators: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => new BadRequest(validationErrorText(errors)),
  });
}
