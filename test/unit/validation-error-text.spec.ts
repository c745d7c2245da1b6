import { ValidationError } from 'class-validator';
import { validationErrorText } from '../../src/common/validation/validation.pipe';

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
