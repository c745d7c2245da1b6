import {
  blindedKeyPair,
  blindedSign,
  decodeHexOrBase64,
  ed25519KeyPairFromSeed,
  initCrypto,
  signEd25519,
  signedMessage,
  verifyEd25519,
} from '../../../src/crypto';
import { b64, hex, utf8 } from './helpers';

// §15.2 of sogs-protocol.md = §5.1 of sogs-clients.md (pysogs contrib/auth-example.py defaults).
const SEED = hex('c010d89eccbaf5d1c6d19df766c6eedf965d4a28a56f87c9fc819edb59896dd9');
const SERVER_PK = hex('c3b3c6f32f0ab5a57f853cc4f30f5da7fda5624b0c77b3fb0829de562ada081d');
const NONCE = decodeHexOrBase64('CdB5nyKVmQGCw6s0Bvv8Ww==', 16)!;
const TIMESTAMP = '1642472103';
let ED_PK: Buffer;
let BLINDED_PK: Buffer;

beforeAll(async () => {
  await initCrypto();
  ED_PK = ed25519KeyPairFromSeed(SEED).publicKey;
  BLINDED_PK = blindedKeyPair(SEED, SERVER_PK).publicKey;
});

const GET_RECENT = {
  serverPk: SERVER_PK,
  nonce: NONCE,
  timestamp: TIMESTAMP,
  method: 'GET',
  path: '/room/the-best-room/messages/recent',
  query: 'limit=25',
  body: Buffer.alloc(0),
};

const GET_RECENT_MESSAGE_HEX =
  'c3b3c6f32f0ab5a57f853cc4f30f5da7fda5624b0c77b3fb0829de562ada081d09d0799f2295990182c3ab3406fbfc5b313634323437323130334745542f726f6f6d2f7468652d626573742d726f6f6d2f6d657373616765732f726563656e743f6c696d69743d3235';

/** Both signers must produce exactly the expected bytes, and the server must accept them. */
function expectSignatures(msg: Buffer, unblinded: string | null, blinded: string | null): void {
  if (unblinded !== null) {
    expect(signEd25519(msg, SEED).toString('base64')).toBe(unblinded);
    expect(verifyEd25519(b64(unblinded), msg, ED_PK)).toBe(true);
    expect(verifyEd25519(b64(unblinded), msg, BLINDED_PK)).toBe(false);
  }
  if (blinded !== null) {
    expect(blindedSign(msg, SEED, SERVER_PK).toString('base64')).toBe(blinded);
    expect(verifyEd25519(b64(blinded), msg, BLINDED_PK)).toBe(true);
    expect(verifyEd25519(b64(blinded), msg, ED_PK)).toBe(false);
  }
}

describe('signedMessage', () => {
  it('§15.2 GET …/recent?limit=25: exact message bytes (105 bytes)', () => {
    const msg = signedMessage(GET_RECENT);
    expect(msg.toString('hex')).toBe(GET_RECENT_MESSAGE_HEX);
    expect(msg).toHaveLength(105);
  });

  it('§15.2 GET: unblinded and blinded signatures', () => {
    expect(`00${ED_PK.toString('hex')}`).toBe('00bac6e71efd7dfa4a83c98ed24f254ab2c267f9ccdb172a5280a0444ad24e89cc');
    expect(`15${BLINDED_PK.toString('hex')}`).toBe('1598932d4bccbe595a8789d7eb1629cefc483a0eaddc7e20e8fe5c771efafd9af5');
    expectSignatures(
      signedMessage(GET_RECENT),
      'xxLpXHbomAJMB9AtGMyqvBsXrdd2040y+Ol/IKzElWfKJa3EYZRv1GLO6CTLhrDFUwVQe8PPltyGs54Kd7O5Cg==',
      'gYqpWZX6fnF4Gb2xQM3xaXs0WIYEI49+B8q4mUUEg8Rw0ObaHUWfoWjMHMArAtP9QlORfiydsKWz1o6zdPVeCQ==',
    );
  });

  it('§15.2 POST {"a":1} to /room/the-best-room/message: HBODY appended, both signatures', () => {
    const msg = signedMessage({ ...GET_RECENT, method: 'POST', path: '/room/the-best-room/message', query: '', body: utf8('{"a":1}') });
    const hbody =
      'f5bfc4e425382a0c72d618c6ab1132cb4ea3ddb54e0109cffb1b917c7a06b6b1396adfd7d88f921ce08643538c57ca532fcace89d0175f333a1f5ab016c72949';
    const prefix = Buffer.concat([SERVER_PK, NONCE, utf8(`${TIMESTAMP}POST/room/the-best-room/message`)]);
    expect(msg.toString('hex')).toBe(prefix.toString('hex') + hbody);
    expectSignatures(
      msg,
      'VJLrBhCN7Abd3UXcqfF5ZN2AHtVKSLp6EfKqD9HeiRL4Kv3oLDFZErfrZLDEnWnvpdY4C53Mlgz07LHgG8QcCw==',
      'ZwfNX0BjmBSELhQwMkxmJ1/4S2iqA3fNaPPq+/zUQjdvEGNoFNFc8PgctktGeFKmq6viViPfydt94L/ScHo6Ag==',
    );
  });

  it('§15.2 PUT …/reaction/1/%F0%9F%8D%8D is signed over the decoded UTF-8 path', () => {
    const path = decodeURIComponent('/room/the-best-room/reaction/1/%F0%9F%8D%8D');
    expect(path).toBe('/room/the-best-room/reaction/1/🍍');
    const msg = signedMessage({ ...GET_RECENT, method: 'PUT', path, query: '' });
    expect(msg.subarray(msg.length - 4).toString('hex')).toBe('f09f8d8d');
    expect(msg.toString('hex')).toBe(
      Buffer.concat([SERVER_PK, NONCE, utf8(`${TIMESTAMP}PUT/room/the-best-room/reaction/1/`), hex('f09f8d8d')]).toString('hex'),
    );
    expectSignatures(msg, 'bvKrfpecER8E41RjYUe1XQSycSG6ObJ5mzKhrnqiuFWFn2HDykVnIs1zoviTetLWfcE3Su5Ca50NJqzqJuvZCQ==', null);
  });

  it('clients §5.1 "with body" cases: GET …/recent?limit=25 with body "hello 🎂"', () => {
    const msg = signedMessage({ ...GET_RECENT, body: utf8('hello 🎂') });
    expect(msg.toString('hex')).toBe(
      GET_RECENT_MESSAGE_HEX +
        'ebd4b1e09185d583c287c21772fd08dc7eff2b66789851b3d39c1794ab796c1d57e17d56394c173f76ac988e0bdb5db06a219b0255d67bd30fa7bb0efca2186b',
    );
    expectSignatures(
      msg,
      'uumZNee7NUb0lVufegjzgjjnj4pe3kAe6OYw7iVTJrcxxxdIxUCgt5/xliBWqPlgY6ReUZRAuptNa4nprv7nCA==',
      'hZCg5pEoy9t98umaY6fNarzcLP5UKUF8chz5mIjwwrRIQLy1kinRoYcNPdFOpJu8heA0val4viymXRTp1DGeBg==',
    );
  });

  it('clients §5.1: the libsession-style blinded signature differs from ours but verifies', () => {
    const msg = signedMessage(GET_RECENT);
    const libsessionSig = b64('kXxMbg6+492jeI+D61s9636ixYctn/qnhknhUhQTt54UR3eP9vslcc3iESdBCyikpqYyyfEOp0z+hjuvXGWyCQ==');
    expect(verifyEd25519(libsessionSig, msg, BLINDED_PK)).toBe(true);
    expect(blindedSign(msg, SEED, SERVER_PK)).not.toEqual(libsessionSig);
  });

  it('no "?" for an empty query, no hash for an empty body; the timestamp text is signed verbatim', () => {
    const base = { ...GET_RECENT, path: '/capabilities', query: '' };
    expect(signedMessage(base).subarray(48).toString()).toBe('1642472103GET/capabilities');
    expect(signedMessage({ ...base, query: 'required=sogs' }).subarray(48).toString()).toBe(
      '1642472103GET/capabilities?required=sogs',
    );
    // The query stays exactly as sent, including percent escapes.
    expect(signedMessage({ ...base, query: 'a=%2F' }).subarray(48).toString()).toBe('1642472103GET/capabilities?a=%2F');
    expect(signedMessage({ ...base, timestamp: '01642472103' }).subarray(48).toString()).toBe('01642472103GET/capabilities');
  });

  it('rejects a nonce or server key of the wrong size', () => {
    expect(() => signedMessage({ ...GET_RECENT, nonce: NONCE.subarray(1) })).toThrow(/16 bytes/);
    expect(() => signedMessage({ ...GET_RECENT, serverPk: SERVER_PK.subarray(1) })).toThrow(/32 bytes/);
  });
});
