import * as fs from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, CONFIG } from '../../config/config';
import { parseSessionContent } from '../../crypto/session-content';
import { Room } from '../../rooms/room.entity';
import { Alphabet, matchAlphabet } from './alphabets';
import { BUILT_IN_PROFANITY } from './profanity-words';
import { parseWordFile, ProfanityList } from './profanity';

/** The filters in force in one room: its own settings where it has them, else the server's. */
export interface RoomFilters {
  profanity: boolean;
  profanitySilent: boolean;
  alphabets: Alphabet[];
  alphabetSilent: boolean;
}

/** Why a post was filtered, and whether it is kept out of sight (silent) or refused with 429. */
export interface FilterVerdict {
  kind: 'alphabet' | 'profanity';
  silent: boolean;
}

/**
 * §7.8 content filters. The checked text is read from the Session protobuf: the message body for
 * the alphabets, body and display name for profanity. Bytes that are not a Session message carry
 * no text a client would show, so they pass.
 */
@Injectable()
export class ContentFilterService {
  readonly profanity: ProfanityList;

  constructor(@Inject(CONFIG) private readonly config: AppConfig) {
    const file = config.filters.profanityWordsFile;
    this.profanity = new ProfanityList(file ? parseWordFile(fs.readFileSync(file, 'utf8')) : BUILT_IN_PROFANITY);
  }

  forRoom(room: Room): RoomFilters {
    const d = this.config.filters;
    return {
      profanity: room.profanity_filter ?? d.profanity,
      profanitySilent: room.profanity_silent ?? d.profanitySilent,
      alphabets: (room.alphabet_filters as Alphabet[] | null) ?? d.alphabets,
      alphabetSilent: room.alphabet_silent ?? d.alphabetSilent,
    };
  }

  /** The verdict on a post or edit by a user with (or without) a moderator role; null = it passes. */
  check(room: Room, data: Buffer, moderator: boolean): FilterVerdict | null {
    if (moderator && !this.config.filters.mods) return null;
    const filters = this.forRoom(room);
    if (!filters.profanity && !filters.alphabets.length) return null;
    const content = parseSessionContent(data);
    if (!content) return null;
    if (content.body && matchAlphabet(content.body, filters.alphabets)) {
      return { kind: 'alphabet', silent: filters.alphabetSilent };
    }
    if (filters.profanity && this.profanity.matches(content.body, content.displayName)) {
      return { kind: 'profanity', silent: filters.profanitySilent };
    }
    return null;
  }
}
