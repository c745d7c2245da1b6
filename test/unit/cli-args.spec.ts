import { duration, formatDuration, permissionLetters, UsageError } from '../../src/cli/args';

describe('CLI argument helpers', () => {
  it('parses durations', () => {
    expect(duration('90')).toBe(90);
    expect(duration('30m')).toBe(1800);
    expect(duration('12h')).toBe(43200);
    expect(duration('1.5d')).toBe(129600);
    expect(duration('2w')).toBe(1209600);
    for (const bad of ['', '0', '-5', '3y', 'h', '1e3', '99999999999']) expect(() => duration(bad)).toThrow(UsageError);
  });

  it('prints durations the way it reads them', () => {
    const cases: [number, string][] = [[2592000, '30d'], [129600, '36h'], [5400, '90m'], [90, '90s'], [1.5, '1.5s'], [1209600, '14d']];
    for (const [seconds, text] of cases) {
      expect(formatDuration(seconds)).toBe(text);
      expect(duration(text)).toBe(seconds);
    }
  });

  it('parses permission letters', () => {
    expect(permissionLetters('rwua', '--grant')).toEqual(['read', 'write', 'upload', 'accessible']);
    expect(permissionLetters('ww', '--grant')).toEqual(['write']);
    expect(permissionLetters(undefined, '--grant')).toEqual([]);
    expect(() => permissionLetters('rx', '--grant')).toThrow(/--grant takes letters/);
    expect(() => permissionLetters('', '--grant')).toThrow(UsageError);
  });
});
