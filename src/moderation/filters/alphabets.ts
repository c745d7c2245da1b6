/**
 * The alphabet filters of §7.8: a post whose text holds any character of an enabled alphabet is
 * filtered. Checked in this order; the first alphabet that matches names the verdict.
 */
export const ALPHABETS = ['persian', 'arabic', 'cyrillic'] as const;
export type Alphabet = (typeof ALPHABETS)[number];

const RANGES: Record<Alphabet, RegExp> = {
  // The letters Persian writing uses from the Arabic block, not the whole block.
  persian: /[\u0621-\u0628\u062A-\u063A\u0641\u0642\u0644-\u0648\u064E-\u0651\u0655\u067E\u0686\u0698\u06A9\u06AF\u06BE\u06CC]/u,
  arabic: /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFE]/u,
  cyrillic: /[\u0400-\u04FF]/u,
};

/** The first of `enabled` (in ALPHABETS order) with a character in `text`, or null. */
export function matchAlphabet(text: string, enabled: readonly Alphabet[]): Alphabet | null {
  for (const alphabet of ALPHABETS) {
    if (enabled.includes(alphabet) && RANGES[alphabet].test(text)) return alphabet;
  }
  return null;
}
