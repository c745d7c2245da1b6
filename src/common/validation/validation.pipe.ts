import { ArgumentMetadata, Type, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage, ValidationError } from 'class-validator';
import { BadRequest } from '../errors';
import { rememberValidationRules } from './metadata-cache';

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
 *
 * Query strings repeat (`?reactors=5` on every poll of every client), so a query that passed is
 * remembered per DTO class with the values it gave, and the next identical one gets a fresh
 * instance holding them. Only flat results are remembered (query DTOs hold numbers and strings),
 * a bounded number per class. Measured with `npm run bench`: without this, anonymous
 * `/capabilities` ran at half speed and the desktop poll lost about a tenth.
 */
class DtoValidationPipe extends ValidationPipe {
  private readonly hasRules = new WeakMap<Type, boolean>();
  private readonly passedQueries = new WeakMap<Type, Map<string, object>>();

  protected override toValidate(metadata: ArgumentMetadata): boolean {
    const type = metadata.metatype;
    if (!type || !super.toValidate(metadata)) return false;
    let rules = this.hasRules.get(type);
    if (rules === undefined) {
      rules = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length > 0;
      this.hasRules.set(type, rules);
    }
    return rules;
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    if (metadata.type !== 'query' || !type || !this.toValidate(metadata)) return super.transform(value, metadata);
    const key = JSON.stringify(value);
    let passed = this.passedQueries.get(type);
    const known = passed?.get(key);
    if (known) return Object.assign(new (type as new () => object)(), known);
    const dto = (await super.transform(value, metadata)) as object;
    const values = { ...dto };
    if (Object.values(values).every((v) => v === null || typeof v !== 'object')) {
      if (!passed) this.passedQueries.set(type, (passed = new Map()));
      if (passed.size >= REMEMBERED_QUERIES) passed.clear();
      passed.set(key, values);
    }
    return dto;
  }
}

/** Per DTO class; a server sees a handful of distinct poll query strings. */
const REMEMBERED_QUERIES = 1000;

/**
 * The one pipe every JSON body and query string goes through: the parameter's DTO class says what
 * is valid. Unknown keys are dropped (clients send extra ones), values are converted where the DTO
 * says so, bodies read by `@JsonBody()` are validated like `@Body()` ones would be, and the first
 * failed check answers (400, plain text, through ErrorFilter).
 */
export function createValidationPipe(): ValidationPipe {
  rememberValidationRules();
  return new DtoValidationPipe({
    whitelist: true,
    transform: true,
    validateCustomDecorators: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => new BadRequest(validationErrorText(errors)),
  });
}
