import { matchAlphabet } from '../../src/moderation/filters/alphabets';
import { parseWordFile, ProfanityList } from '../../src/moderation/filters/profanity';
import { BUILT_IN_PROFANITY } from '../../src/moderation/filters/profanity-words';

describe('ProfanityList', () => {
  const list = new ProfanityList(BUILT_IN_PROFANITY);

  it.each([
    'fuck',
    'What the FUCK?',
    'sh1t',
    '$hit',
    '@sshole',
    'b!tch',
    'shit!!!',
    'fuuuuuck',
    'sluuuts',
    'ｆｕｃｋ', // full-width letters
    'f\u200Buck', // zero-width space inside
    'fück',
    'son-of-a-bitch',
    'piece of shit',
  ])('matches %j', (text) => {
    expect(list.matches(text)).toBe(true);
  });

  it.each(['Scunthorpe', 'class', 'assessment', 'cocktail', 'shiitake', 'Dickens', 'grass', 'I scored 1337', 'hello!', 'cost $5', '', 'as s'])(
    'leaves %j alone',
    (text) => {
      expect(list.matches(text)).toBe(false);
    },
  );

  it('checks every text given and skips missing ones', () => {
    expect(list.matches(undefined, 'hello', 'twat')).toBe(true);
    expect(list.matches(undefined, 'hello')).toBe(false);
  });

  it('matches phrases only as consecutive words', () => {
    const phrases = new ProfanityList(['green apple']);
    expect(phrases.size).toBe(1);
    expect(phrases.matches('a GREEN   apple')).toBe(true);
    expect(phrases.matches('green tea and an apple')).toBe(false);
    expect(phrases.matches('green')).toBe(false);
  });

  it('is built from word files with comments and blank lines', () => {
    expect(parseWordFile('# list\r\nfoo\n\n  bar baz  # phrase\n#only comment\n')).toEqual(['foo', 'bar baz']);
  });
});

describe('matchAlphabet', () => {
  it('reports the first enabled alphabet in checking order', () => {
    // پ is in both the Persian set and the Arabic block: Persian is checked first.
    expect(matchAlphabet('x\u067E', ['arabic', 'persian'])).toBe('persian');
    expect(matchAlphabet('x\u067E', ['arabic'])).toBe('arabic');
    expect(matchAlphabet('мир', ['arabic', 'persian'])).toBeNull();
    expect(matchAlphabet('мир', [])).toBeNull();
  });
});
