/**
 * Whole-word profanity matching. Text and list entries are normalised the same way: Unicode
 * compatibility forms folded (so full-width or styled letters match), lower case, common
 * look-alike symbols and digits read as letters ("sh1t", "$hit", "@ss"), then split into words
 * on anything that is not a letter or digit. An entry of several words matches those words in a
 * row. Letters stretched over three or more repeats ("fuuuuck") also match.
 */
const LOOK_ALIKES: Record<string, string> = { '@': 'a', '4': 'a', '3': 'e', '1': 'i', '!': 'i', '0': 'o', '$': 's', '5': 's', '7': 't' };

/** Marks and format characters people insert inside words to dodge filters. */
const INVISIBLE = /[\p{M}\p{Cf}]/gu;

export class ProfanityList {
  private readonly words = new Set<string>();
  private readonly phrases: string[] = [];

  constructor(entries: Iterable<string>) {
    for (const entry of entries) {
      const words = normalise(entry);
      if (words.length === 1) this.words.add(words[0]);
      else if (words.length > 1) this.phrases.push(` ${words.join(' ')} `);
    }
  }

  get size(): number {
    return this.words.size + this.phrases.length;
  }

  /** Whether any of `texts` holds a listed word or phrase. */
  matches(...texts: (string | undefined)[]): boolean {
    for (const text of texts) {
      if (!text) continue;
      const words = normalise(text);
      if (words.some((w) => this.isListed(w))) return true;
      if (this.phrases.length) {
        const joined = ` ${words.join(' ')} `;
        if (this.phrases.some((p) => joined.includes(p))) return true;
      }
    }
    return false;
  }

  private isListed(word: string): boolean {
    if (this.words.has(word)) return true;
    if (!/(.)\1\1/u.test(word)) return false;
    return this.words.has(word.replace(/(.)\1{2,}/gu, '$1')) || this.words.has(word.replace(/(.)\1{2,}/gu, '$1$1'));
  }
}

/** Parses a word file: one word or phrase per line; blank lines and `#` comments are skipped. */
export function parseWordFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

function normalise(text: string): string[] {
  const folded = text.normalize('NFKD').replace(INVISIBLE, '').toLowerCase();
  const words: string[] = [];
  for (const raw of folded.split(/[^\p{L}\p{N}@$!]+/u)) {
    // "!" around a word is punctuation, not a letter.
    const trimmed = raw.replace(/^!+|!+$/gu, '');
    const word = [...trimmed].map((c) => LOOK_ALIKES[c] ?? c).join('');
    // A word of digits only is a number, not disguised letters.
    if (/\p{L}/u.test(word) && !/^[\p{N}]+$/u.test(trimmed)) words.push(word);
  }
  return words;
}
