import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { Equals, IsBoolean, IsInt, IsOptional, ValidateBy, ValidationArguments, ValidationOptions } from 'class-validator';
import { decodeBase64Strict } from '../../crypto';

/**
 * Validation decorators shared by the DTOs. The protocol names exact 400 texts, and the global
 * ValidationPipe (stopAtFirstError) answers with the first check that fails, so the order of a
 * property's checks is part of the protocol; see `Checks`.
 */

/**
 * Runs a property's checks in the order written. class-validator runs them in registration order,
 * and stacked decorators register bottom-up, which would turn `@IsString() @MinLength(1)` into
 * "too short" for a number.
 */
export function Checks(...decorators: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(...decorators);
}

/** `null`/absent or a boolean; anything else is `Invalid request: <name> must be a boolean`. */
export function OptionalBool(): PropertyDecorator {
  return Checks(IsOptional(), IsBoolean({ message: 'Invalid request: $property must be a boolean' }));
}

/**
 * A string of standard base64 (padding optional, see `decodeBase64Strict`), of exactly `bytes`
 * bytes when given. Anything but a string fails too.
 */
export function IsBase64Bytes(bytes: number | null, options: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isBase64Bytes',
      validator: {
        validate: (value: unknown) => {
          const decoded = typeof value === 'string' ? decodeBase64Strict(value) : null;
          return decoded !== null && (bytes === null || decoded.length === bytes);
        },
      },
    },
    options,
  );
}

/** What a query string's integer may look like (surrounding blanks and a sign are allowed). */
const QUERY_INTEGER = /^\s*[+-]?\d+\s*$/;

/**
 * A query integer clamped to [min, max] (§16.21: limits are clamped, not rejected); a value that
 * is not a decimal integer is a 400 `Invalid <name>`. A repeated key arrives as an array from
 * Fastify's parser and gets the same 400: the client meant one value and we cannot tell which.
 * The property's initial value is the default (none: undefined).
 */
export function ClampedInt(min: number, max: number): PropertyDecorator {
  return applyDecorators(
    // Only well-formed values become numbers; anything else is left for IsInt to refuse.
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && QUERY_INTEGER.test(value) ? clamp(Number(value), min, max) : value)),
    IsOptional(),
    IsInt({ message: 'Invalid $property' }),
  );
}

/** Digits too many for a double are ±Infinity: still the nearest bound. */
function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

/**
 * A rule about the DTO as a whole, declared on a getter that says whether it holds: checked after
 * the properties declared above it, so their own 400 texts come first.
 */
export function Rule(message: string | ((args: ValidationArguments) => string)): (target: object, getter: string, descriptor: PropertyDescriptor) => void {
  const check = Equals(true, { message });
  return (target, getter) => check(target, getter);
}
