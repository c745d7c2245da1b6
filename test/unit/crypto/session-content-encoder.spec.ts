import { encodeSessionContent, padSessionMessage, parseSessionContent, stripSessionPadding } from '../../../src/crypto';

describe('encodeSessionContent', () => {
  it('writes the hand-made vector: dataMessage{body, timestamp, profile.displayName}, sigTimestamp, padding to 160 bytes', () => {
    const data = encodeSessionContent({ body: 'hi', timestamp: 1_700_000_000_000, displayName: 'Bot' });
    // 0a 13 (dataMessage, 19 bytes): 0a 02 "hi" | 38 <varint ts> | aa 06 05 (profile, 5 bytes): 0a 03 "Bot"; 78 <varint ts> (sigTimestamp)
    const protobuf = '0a130a0268693880d095ffbc31aa06050a03426f747880d095ffbc31';
    expect(data.length).toBe(160);
    expect(data.subarray(0, 28).toString('hex')).toBe(protobuf);
    expect(data[28]).toBe(0x80);
    expect(data.subarray(29).every((b) => b === 0)).toBe(true);
  });

  it('is read back by the reader', () => {
    const data = encodeSessionContent({ body: 'héllo 🍍\nline two', timestamp: 1_712_345_678_901, displayName: 'Welcome bot' });
    expect(parseSessionContent(data)).toEqual({ body: 'héllo 🍍\nline two', displayName: 'Welcome bot', attachments: 0, timestamp: 1_712_345_678_901 });
  });

  it('writes a quote (dataMessage field 8: id, author, text) that leaves the rest readable', () => {
    const author = '15' + 'ab'.repeat(32);
    const data = encodeSessionContent({ body: 'reply', timestamp: 5, quote: { id: 1_700_000_000_123, author, text: 'original' } });
    const stripped = stripSessionPadding(data);
    expect(stripped.includes(Buffer.from(author))).toBe(true);
    expect(stripped.includes(Buffer.from('original'))).toBe(true);
    expect(parseSessionContent(data)).toEqual({ body: 'reply', attachments: 0, timestamp: 5 });
  });

  it.each([
    [1, 160],
    [158, 160],
    [159, 160],
    [160, 320],
    [400, 480],
  ])('pads %i bytes to %i', (length, padded) => {
    const out = padSessionMessage(Buffer.alloc(length, 1));
    expect(out.length).toBe(padded);
    expect(out[length]).toBe(0x80);
    expect(stripSessionPadding(out).length).toBe(length);
  });

  it('refuses a timestamp that is not a non-negative safe integer', () => {
    expect(() => encodeSessionContent({ body: 'x', timestamp: -1 })).toThrow(RangeError);
    expect(() => encodeSessionContent({ body: 'x', timestamp: 1.5 })).toThrow(RangeError);
  });
});
