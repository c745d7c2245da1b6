/**
 * The built-in profanity list: common English swear words, sexual terms and slurs, written for
 * this project. Whole words only (after the normalisation in profanity.ts), so words that merely
 * contain one of these ("class", "scunthorpe", "cocktail") are never matched. Operators replace it
 * with SOGS_PROFANITY_WORDS_FILE.
 */
export const BUILT_IN_PROFANITY: readonly string[] = [
  'arse', 'arsehole', 'ass', 'asses', 'asshole', 'assholes', 'bastard', 'bastards', 'bitch', 'bitches',
  'bitching', 'bitchy', 'blowjob', 'bollocks', 'boner', 'bullshit', 'butthole', 'clit', 'cock',
  'cocks', 'cocksucker', 'crap', 'cum', 'cumshot', 'cunt', 'cunts', 'dick', 'dickhead', 'dicks',
  'dildo', 'dipshit', 'douche', 'douchebag', 'fag', 'faggot', 'fags', 'fuck', 'fucked', 'fucker',
  'fuckers', 'fuckface', 'fuckin', 'fucking', 'fucks', 'fuckwit', 'goddamn', 'handjob', 'horseshit',
  'jackass', 'jerkoff', 'jizz', 'kike', 'motherfucker', 'motherfuckers', 'motherfucking', 'nigga',
  'niggas', 'nigger', 'niggers', 'penis', 'piss', 'pissed', 'porn', 'porno', 'prick', 'pussy',
  'retard', 'retarded', 'shit', 'shite', 'shithead', 'shits', 'shitty', 'slut', 'sluts', 'spic',
  'tits', 'titties', 'tranny', 'twat', 'twats', 'vagina', 'wank', 'wanker', 'wankers', 'whore',
  'whores', 'son of a bitch', 'piece of shit',
];
