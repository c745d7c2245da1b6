import { ArgumentMetadata } from '@nestjs/common';
import { IsInt, IsOptional, IsString, ValidationError } from 'class-validator';
import { BadRequest } from '../../src/common/errors';
import { ClampedInt } from '../../src/common/validation/validation.decorators';
import { createValidationPipe, validationErrorText } from '../../src/common/validation/validation.pipe';
import { User } from '../../src/users/user.entity';

const error = (property: string, constraints?: Record<string, string>, children: ValidationError[] = []): ValidationError =>
  Object.assign(new ValidationError(), { property, constraints, children });

describe('validationErrorText (the ValidationPipe exceptionFactory)', () => {
  it('answers the first failed check of the first failing property', () => {
    expect(validationErrorText([error('data', { isString: 'data text' }), error('signature', { isString: 'signature text' })])).toBe('data text');
  });

  it('follows nested errors and names the list item for $index', () => {
    const nested = error('subrequests', undefined, [error('3', undefined, [error('method', { isIn: 'subrequest $index: method' })]), error('4', { nestedValidation: 'x' })]);
    expect(validationErrorText([nested])).toBe('subrequest 3: method');
    // A list inside a list item still names the outer item.
    const deeper = error('subrequests', undefined, [error('1', undefined, [error('0', { nestedValidation: 'subrequest $index: expected an object' })])]);
    expect(validationErrorText([deeper])).toBe('subrequest 1: expected an object');
  });

  it('falls back to a plain Bad request', () => {
    expect(validationErrorText([])).toBe('Bad request');
  });
});

class PageQuery {
  @ClampedInt(1, 256)
  limit = 100;
}

class NeedsName {
  @IsString({ message: 'Invalid name' })
  name!: string;

  @IsOptional()
  @IsInt()
  n?: number;
}

describe('the global ValidationPipe', () => {
  const pipe = createValidationPipe();
  const query = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype });

  it('answers a query string it has seen pass with a fresh instance holding the same values', async () => {
    const a = (await pipe.transform(Object.create(null), query(PageQuery))) as PageQuery;
    const b = (await pipe.transform({}, query(PageQuery))) as PageQuery;
    expect(a).toBeInstanceOf(PageQuery);
    expect(b).toBeInstanceOf(PageQuery);
    expect([a, b]).toEqual([{ limit: 100 }, { limit: 100 }]);
    expect(a).not.toBe(b);
    b.limit = 1;
    for (let i = 0; i < 2; i++) expect(await pipe.transform({ limit: '999' }, query(PageQuery))).toEqual({ limit: 256 });
    expect(await pipe.transform({}, query(PageQuery))).toEqual({ limit: 100 });
    await expect(pipe.transform({ limit: 'x' }, query(PageQuery))).rejects.toThrow(new BadRequest('Invalid limit'));
  });

  it('still refuses an empty query string whose defaults are not valid, every time', async () => {
    for (let i = 0; i < 2; i++) await expect(pipe.transform({}, query(NeedsName))).rejects.toThrow(new BadRequest('Invalid name'));
    expect(await pipe.transform({ name: 'x', extra: 'dropped' }, query(NeedsName))).toEqual({ name: 'x' });
  });

  it('leaves parameters that are not DTOs alone (the user the guard resolved)', async () => {
    const user = Object.assign(new User(), { id: 7, session_id: '05ab' });
    expect(await pipe.transform(user, { type: 'custom', metatype: User })).toBe(user);
  });
});
