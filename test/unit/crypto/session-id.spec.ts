import { isBlindedId, isUnblindedId, parseSessionId, sessionIdFromKey } from '../../../src/crypto';

const ID05 = '0588672ccb97f40bb57238989226cf429b575ba355443f47bc76c5ab144a96c65b';
const ID15 = '1598932d4bccbe595a8789d7eb1629cefc483a0eaddc7e20e8fe5c771efafd9af5';

describe('parseSessionId', () => {
  it('parses 05 and 15 ids into prefix, key bytes and lower-case id', () => {
    expect(parseSessionId(ID05)).toEqual({ prefix: '05', key: Buffer.from(ID05.slice(2), 'hex'), id: ID05 });
    const upper = parseSessionId(ID15.toUpperCase());
    expect(upper?.id).toBe(ID15);
    expect(upper?.prefix).toBe('15');
    expect(upper?.key.toString('hex')).toBe(ID15.slice(2));
  });

  it('rejects other prefixes, lengths and characters', () => {
    for (const bad of [
      `00${ID05.slice(2)}`,
      `25${ID05.slice(2)}`,
      `ff${ID05.slice(2)}`,
      ID05.slice(0, 65),
      `${ID05}0`,
      `${ID05.slice(0, 65)}g`,
      ` ${ID05.slice(1)}`,
      '',
    ]) {
      expect([bad, parseSessionId(bad)]).toEqual([bad, null]);
    }
  });

  it('isBlindedId / isUnblindedId', () => {
    expect([isBlindedId(ID15), isUnblindedId(ID15)]).toEqual([true, false]);
    expect([isBlindedId(ID05), isUnblindedId(ID05)]).toEqual([false, true]);
    expect([isBlindedId('15'), isUnblindedId('05')]).toEqual([false, false]);
  });

  it('sessionIdFromKey', () => {
    expect(sessionIdFromKey('15', Buffer.from(ID15.slice(2), 'hex'))).toBe(ID15);
  });
});
