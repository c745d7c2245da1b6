import { bdecodeList, bencodeList } from '../../../src/crypto';
import { utf8 } from './helpers';

const texts = (parts: Buffer[] | null) => parts?.map((p) => p.toString('utf8')) ?? null;

describe('clients §5.7 bencode examples', () => {
  const request = 'l79:{"method":"GET","endpoint":"/room/some-room","headers":{"Some-Header":"12345"}}e';
  const response = 'l58:{"code":200,"headers":{"content-type":"application/json"}}11:{"id": 123}e';

  it('decodes and re-encodes the v4 request example', () => {
    const parts = bdecodeList(utf8(request));
    expect(texts(parts)).toEqual(['{"method":"GET","endpoint":"/room/some-room","headers":{"Some-Header":"12345"}}']);
    expect(bencodeList(parts!).toString()).toBe(request);
    expect(bencodeList(['{"method":"GET","endpoint":"/room/some-room","headers":{"Some-Header":"12345"}}']).toString()).toBe(request);
  });

  it('decodes and re-encodes the v4 response example', () => {
    const parts = bdecodeList(utf8(response));
    expect(texts(parts)).toEqual(['{"code":200,"headers":{"content-type":"application/json"}}', '{"id": 123}']);
    expect(bencodeList(parts!).toString()).toBe(response);
  });

  it('§4.8 inner request', () => {
    expect(bencodeList(['{"method":"GET","endpoint":"/capabilities","headers":{}}']).toString()).toBe(
      'l56:{"method":"GET","endpoint":"/capabilities","headers":{}}e',
    );
  });
});

describe('bencodeList', () => {
  it('uses byte lengths, not character counts', () => {
    expect(bencodeList(['🍍', 'é']).toString('hex')).toBe(Buffer.from('l4:\xf0\x9f\x8d\x8d2:\xc3\xa9e', 'latin1').toString('hex'));
  });

  it('encodes empty lists and empty strings', () => {
    expect(bencodeList([]).toString()).toBe('le');
    expect(bencodeList([Buffer.alloc(0), 'x']).toString()).toBe('l0:1:xe');
  });

  it('round-trips arbitrary binary parts', () => {
    const parts = [Buffer.from([0, 1, 0x65, 0x6c, 0x3a, 0xff]), Buffer.alloc(300, 0x65), Buffer.alloc(0)];
    const encoded = bencodeList(parts);
    expect(encoded).toEqual(Buffer.concat([utf8('l6:'), parts[0], utf8('300:'), parts[1], utf8('0:e')]));
    expect(bdecodeList(encoded)).toEqual(parts);
  });
});

describe('bdecodeList accepts', () => {
  it('the empty list and empty strings', () => {
    expect(bdecodeList(utf8('le'))).toEqual([]);
    expect(texts(bdecodeList(utf8('l0:e')))).toEqual(['']);
    expect(texts(bdecodeList(utf8('l0:0:e')))).toEqual(['', '']);
  });

  it('bytes that look like bencode syntax inside a string', () => {
    expect(texts(bdecodeList(utf8('l5:le1:ee')))).toEqual(['le1:e']);
  });

  it('returns copies, not views of the input', () => {
    const input = utf8('l3:abce');
    const [part] = bdecodeList(input)!;
    input[3] = 0x7a;
    expect(part.toString()).toBe('abc');
  });

  it('up to maxParts strings', () => {
    expect(texts(bdecodeList(utf8('l1:a1:be'), 2))).toEqual(['a', 'b']);
    expect(bdecodeList(utf8('l1:a1:b1:ce'), 2)).toBeNull();
    expect(bdecodeList(utf8('le'), 0)).toEqual([]);
  });
});

describe('bdecodeList rejects', () => {
  it.each([
    ['empty input', ''],
    ['only l', 'l'],
    ['not a list', '3:abc'],
    ['missing e', 'l3:abc'],
    ['trailing data after e', 'l3:abcex'],
    ['trailing e', 'l3:abcee'],
    ['data before the list', ' l3:abce'],
    ['length too long', 'l4:abce'],
    ['length too short', 'l2:abce'],
    ['leading zero', 'l03:abce'],
    ['leading zero on zero', 'l00:e'],
    ['negative length', 'l-1:e'],
    ['plus sign', 'l+3:abce'],
    ['missing colon', 'l3abce'],
    ['missing length', 'l:abce'],
    ['space in length', 'l 3:abce'],
    ['truncated length', 'l3'],
    ['truncated after colon', 'l3:'],
    ['truncated string', 'l3:ab'],
    ['integer element', 'li42ee'],
    ['dict element', 'ld1:a1:bee'],
    ['nested list', 'll3:abcee'],
    ['top-level dict', 'd1:a1:be'],
    ['top-level integer', 'i42e'],
    ['huge length', 'l99999999999999999999999999999:xe'],
    ['length above 2^53', 'l9007199254740993:xe'],
    ['length one past the end', 'l8:abcdefge'],
  ])('%s', (_name, input) => {
    expect(bdecodeList(utf8(input))).toBeNull();
  });

  it('a huge declared length against a small buffer without allocating', () => {
    const input = Buffer.concat([utf8('l4294967295:'), Buffer.alloc(16)]);
    expect(bdecodeList(input)).toBeNull();
  });

  it('non-Uint8Array input', () => {
    expect(bdecodeList('l3:abce' as unknown as Uint8Array)).toBeNull();
  });
});
