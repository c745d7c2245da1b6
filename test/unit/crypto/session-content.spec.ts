import { parseSessionContent, stripSessionPadding } from '../../../src/crypto';
import { bytesField, intField } from '../../support/session-content';

function content(body?: string, displayName?: string, attachments = 0): Buffer {
  const parts: Buffer[] = [];
  if (body !== undefined) parts.push(bytesField(1, Buffer.from(body)));
  for (let i = 0; i < attachments; i++) parts.push(bytesField(2, intField(1, i)));
  parts.push(intField(4, 0));
  if (displayName !== undefined) parts.push(bytesField(101, bytesField(1, Buffer.from(displayName))));
  return Buffer.concat([bytesField(1, Buffer.concat(parts)), intField(15, 1700000000000)]);
}

describe('Session padding', () => {
  it.each([
    ['01 02 80 00 00', '01 02'],
    ['01 02 80', '01 02'],
    ['01 02 00', '01 02 00'],
    ['80', '80'],
    ['80 00', '80 00'],
    ['01 02', '01 02'],
    ['', ''],
  ])('%s → %s', (input, output) => {
    const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
    expect(stripSessionPadding(hex(input)).toString('hex')).toBe(hex(output).toString('hex'));
  });
});

describe('parseSessionContent', () => {
  it('reads body, display name and attachment count through the padding', () => {
    const padded = Buffer.concat([content('héllo 🍍', 'Alice', 2), Buffer.from([0x80, 0, 0, 0])]);
    expect(parseSessionContent(padded)).toEqual({ body: 'héllo 🍍', displayName: 'Alice', attachments: 2 });
  });

  it('handles a message without text', () => {
    expect(parseSessionContent(content(undefined, undefined, 1))).toEqual({ attachments: 1 });
    expect(parseSessionContent(intField(15, 5))).toEqual({ attachments: 0 });
  });

  it.each([
    ['truncated length', Buffer.from('0a05', 'hex')],
    ['field zero', Buffer.from('0001', 'hex')],
    ['group wire type', Buffer.from('0b', 'hex')],
    ['overlong varint', Buffer.from('08ffffffffffffffffff01', 'hex')],
    ['random text', Buffer.from('hello world, not a protobuf')],
  ])('returns null for %s', (_n, data) => {
    expect(parseSessionContent(data)).toBeNull();
  });
});
