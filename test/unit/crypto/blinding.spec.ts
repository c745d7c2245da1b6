import {
  blindedAbs,
  blindedIdCandidates,
  blindedKeyPair,
  blindedSessionIdFromSeed,
  blindedSign,
  blindingFactor,
  ed25519KeyPairFromSeed,
  ed25519PrivateScalar,
  initCrypto,
  sessionIdFromEd25519Seed,
  sodium,
  verifyEd25519,
} from '../../../src/crypto';
import { randomBytes } from 'node:crypto';
import { BLINDING_SERVER_PK, BLINDING_TABLE } from './blinding-table';
import { hex, utf8 } from './helpers';

beforeAll(initCrypto);

const SERVER_PK = hex(BLINDING_SERVER_PK);

describe('blindingFactor', () => {
  it('k of the §15.1 fake server key', () => {
    expect(blindingFactor(SERVER_PK).toString('hex')).toBe('52f2b25544f805cfd7be34f3581be33d0f16e25048fe29f2abc14f4e8fe2000d');
  });

  it('k of the §15.2 auth-example server key', () => {
    expect(blindingFactor(hex('c3b3c6f32f0ab5a57f853cc4f30f5da7fda5624b0c77b3fb0829de562ada081d')).toString('hex')).toBe(
      '84e3eb75028a9b73fec031b7448e322a68ca6485fad81ab1bead56f759ebeb0f',
    );
  });

  it('rejects a server key of the wrong length', () => {
    expect(() => blindingFactor(Buffer.alloc(33))).toThrow(/32 bytes/);
  });
});

describe.each(BLINDING_TABLE.map((row, i) => ({ i, ...row })))('§15.1 row $i ($sign)', (row) => {
  const seed = hex(row.seed);

  it('seed → Ed25519 public key', () => {
    expect(ed25519KeyPairFromSeed(seed).publicKey.toString('hex')).toBe(row.edPk);
  });

  it('seed → 05 session id', () => {
    expect(sessionIdFromEd25519Seed(seed)).toBe(row.sessionId);
  });

  it('seed → blinded id (client side)', () => {
    expect(blindedSessionIdFromSeed(seed, SERVER_PK)).toBe(row.blindedId);
    expect(`15${blindedKeyPair(seed, SERVER_PK).publicKey.toString('hex')}`).toBe(row.blindedId);
  });

  it('05 id → candidates: the sign column names the candidate equal to the blinded id', () => {
    const c = blindedIdCandidates(row.sessionId, SERVER_PK);
    expect(c).not.toBeNull();
    expect(row.sign === '+' ? c!.abs : c!.neg).toBe(row.blindedId);
    expect(row.sign === '+' ? c!.neg : c!.abs).not.toBe(row.blindedId);
  });

  it('abs and neg differ only in hex digit 64, by 8', () => {
    const { abs, neg } = blindedIdCandidates(row.sessionId, SERVER_PK)!;
    expect(abs.slice(0, 64)).toBe(neg.slice(0, 64));
    expect(abs.slice(65)).toBe(neg.slice(65));
    expect(parseInt(neg[64], 16) - parseInt(abs[64], 16)).toBe(8);
    expect(blindedAbs(row.blindedId)).toBe(abs);
    expect(blindedAbs(neg)).toBe(abs);
  });
});

describe('§15.2 / clients §5.1 intermediates (auth-example account)', () => {
  const seed = hex('c010d89eccbaf5d1c6d19df766c6eedf965d4a28a56f87c9fc819edb59896dd9');
  const serverPk = hex('c3b3c6f32f0ab5a57f853cc4f30f5da7fda5624b0c77b3fb0829de562ada081d');

  it('a = clamped first half of SHA-512(seed), equal to libsodium sk_to_curve25519', () => {
    const a = ed25519PrivateScalar(seed);
    expect(a.toString('hex')).toBe('30d796c1ddb4dc455fd998a98aa275c247494a9a7bde9c1fee86ae45cd585241');
    const sk = ed25519KeyPairFromSeed(seed).secretKey;
    expect(Buffer.from(sodium().crypto_sign_ed25519_sk_to_curve25519(sk)).toString('hex')).toBe(a.toString('hex'));
  });

  it('ka and kA', () => {
    const { publicKey, secretScalar } = blindedKeyPair(seed, serverPk);
    expect(secretScalar.toString('hex')).toBe('16663322d6b684e1c9dcc02b9e8642c3affd3bc431a9ea9e63dbbac88ce7a305');
    expect(publicKey.toString('hex')).toBe('98932d4bccbe595a8789d7eb1629cefc483a0eaddc7e20e8fe5c771efafd9af5');
  });

  it('Ed25519 pk and 05 id', () => {
    expect(ed25519KeyPairFromSeed(seed).publicKey.toString('hex')).toBe(
      'bac6e71efd7dfa4a83c98ed24f254ab2c267f9ccdb172a5280a0444ad24e89cc',
    );
    expect(sessionIdFromEd25519Seed(seed)).toBe('0588672ccb97f40bb57238989226cf429b575ba355443f47bc76c5ab144a96c65b');
  });

  it('server side k·A+ ends …9a75, so the real id is the "neg" candidate', () => {
    const c = blindedIdCandidates('0588672ccb97f40bb57238989226cf429b575ba355443f47bc76c5ab144a96c65b', serverPk)!;
    expect(c.abs).toBe('1598932d4bccbe595a8789d7eb1629cefc483a0eaddc7e20e8fe5c771efafd9a75');
    expect(c.neg).toBe('1598932d4bccbe595a8789d7eb1629cefc483a0eaddc7e20e8fe5c771efafd9af5');
  });
});

describe('clients §5.3: desktop knownBlindedKeys mapping', () => {
  it('05 id → candidates {…e714, …e794}; the blinded id is the abs one', () => {
    const c = blindedIdCandidates(
      '055bcd2bb6e600c43741173e489d925a505a11ab2b971afde56e50272e430f8b37',
      hex('1615317ca1d8ecdf12dad1bbf1d28d3a90c94fc0010043a7fdc1609ad1c5d111'),
    );
    expect(c).toEqual({
      abs: '1562b2368a1d5452cc25c713b9add4f29405e5e58f6c4aa83fde602a7308bae714',
      neg: '1562b2368a1d5452cc25c713b9add4f29405e5e58f6c4aa83fde602a7308bae794',
    });
  });
});

describe('clients §5.4: libsession blind15 vectors', () => {
  const serverKey = (prefix: string) => hex(`${prefix}0123456789abcdef0123456789abcdef0123456789abcdef0123456789`);
  const sk1 = hex(
    'fecd9a6034bc9aba273925dee7062b123334587c3c6257341afae2d7fe85e122f4ef873908f6a5377ba3853f0e2fa326eed9e741edf9f7d0311a3ecc66a57b32',
  );
  const sk2 = hex(
    '8659efdcbe0949e0f81141e6d397e8be75f45d09262f209d5950e97989eb43c73570b69a47dc094544c1c5089c40414bbda1ffdde8aab2617fe937ee74a5ee81',
  );
  const seed1 = sk1.subarray(0, 32);
  const seed2 = sk2.subarray(0, 32);
  const sessionId1 = '05fe94b7ad4b7f1cc1bb92671f1f0d243f226e115b33770465e82b503fc3e96e1f';
  const sessionId2 = '0505c9a9bf178fa644d44bebf628716dc7f2df3d0842e97881962c723699152073';

  it('the 64-byte keys are seed ‖ pubkey and map to the listed X25519 keys', () => {
    expect(ed25519KeyPairFromSeed(seed1).secretKey).toEqual(sk1);
    expect(ed25519KeyPairFromSeed(seed2).secretKey).toEqual(sk2);
    expect(sessionIdFromEd25519Seed(seed1)).toBe(sessionId1);
    expect(sessionIdFromEd25519Seed(seed2)).toBe(sessionId2);
  });

  it('blind15_id(session_id1, abcdef…) is the abs candidate and the client id', () => {
    const c = blindedIdCandidates(sessionId1, serverKey('abcdef'))!;
    expect(c.abs).toBe('15b74ed205f1f931e1bb1291183778a9456b835937d923b0f2e248aa3a44c07844');
    expect(blindedSessionIdFromSeed(seed1, serverKey('abcdef'))).toBe(c.abs);
  });

  it('blind15_id(session_id2, abcdef…) = k·A+ is the neg candidate; the seed2 client signs as the abs one', () => {
    const c = blindedIdCandidates(sessionId2, serverKey('abcdef'))!;
    expect(c.neg).toBe('1561e070286ff7a71f167e92b18c709882b148d8238c8872caf414b301ba0564fd');
    expect(c.abs).toBe('1561e070286ff7a71f167e92b18c709882b148d8238c8872caf414b301ba05647d');
    expect(blindedSessionIdFromSeed(seed2, serverKey('abcdef'))).toBe(c.abs);
  });

  const signatures: Array<[number, Buffer, string, string, string, string]> = [
    [1, seed1, 'abcdef', 'hello', '15b74ed205f1f931e1bb1291183778a9456b835937d923b0f2e248aa3a44c07844', '1a5ade20b43af0e16b3e591d6f86303938d7557c0ac54469dd4f5aea759f82d22cafa42587251756e133acdddd8cbec2f707a9ce09a49f2193f46a91502c5006'],
    [2, seed1, '00cdef', 'world', '158de23f5a1e1f196e3dc59d04c60e108cbf82d3b75e10eff2a64ec697501f7ba1', 'd357f74c5ec5536840aec575051f71fdb22d70f35ef31db1715f5f694842de3b39aa647c84aa8e28ec56eb762d237c9e030639c83f429826d419ac719cd4df03'],
    [3, seed2, 'abcdef', 'this', '1561e070286ff7a71f167e92b18c709882b148d8238c8872caf414b301ba05647d', 'dacf91dfb411e99cd8ef4cb07b195b49289cf1a724fef122c73462818560bc29832a98d870ec4feb79dedca5b59aba6a466d3ce8f3e35adf25a1813f6989fd0a'],
    [4, seed2, '999def', 'is', '15b1723781f94d8b8f1f03482059c5226e64a7034ae06e846b0a95895326311026', '8339ea9887d3e44131e33403df160539cdc7a0a8107772172c311e95773660a0d39ed0a6c2b2c794dde1fdc640943e403497aa02c4d1a21a7d9030742beabb05'],
    [5, seed2, '888def', '', '15f8a97f0b7294d41b5fc66115eb909e61b00e55d2b65c3d6fd902231545987e86', '8b0d6447decff3a21ec1809141580139c4a51e24977b0605fe7984439993f5377ebc9681e4962593108d03cc8b6873c5c5ba8c30287188137d2dee9ab10afd0f'],
    [6, seed1, '777def', 'omg!', '1557726d98106bb6fb1d3401886e0ed7c15d72c6f797a2114901cb1dfbb4adec42', '946725055399376ecebb605c79f845fbf689a47f98507c2a1f239516fd9c9104e19fe533631c27ba4e7444574f0e4f0f0d422b7256ed63681a3ab2fe7e040601'],
  ];

  it.each(signatures)('signature %i: client id matches and the libsession signature verifies as plain Ed25519', (_n, seed, prefix, msg, id, sig) => {
    const server = serverKey(prefix);
    const { publicKey } = blindedKeyPair(seed, server);
    expect(`15${publicKey.toString('hex')}`).toBe(id);
    expect(verifyEd25519(hex(sig), utf8(msg), publicKey)).toBe(true);
    // The same signature must not verify for another message or another server's key.
    expect(verifyEd25519(hex(sig), utf8(`${msg}!`), publicKey)).toBe(false);
    expect(verifyEd25519(hex(sig), utf8(msg), blindedKeyPair(seed, serverKey('abcabc')).publicKey)).toBe(false);
    // Our (desktop-style) signature differs byte-wise from libsession's but verifies too.
    const ours = blindedSign(utf8(msg), seed, server);
    expect(ours.toString('hex')).not.toBe(sig);
    expect(verifyEd25519(ours, utf8(msg), publicKey)).toBe(true);
  });
});

describe('blindedSign', () => {
  it('a random seed signing a random message verifies under kA and nowhere else', () => {
    const seed = randomBytes(32);
    const serverPk = randomBytes(32);
    const msg = randomBytes(1 + (randomBytes(1)[0] % 200));
    const sig = blindedSign(msg, seed, serverPk);
    const { publicKey } = blindedKeyPair(seed, serverPk);
    expect(sig).toHaveLength(64);
    expect(verifyEd25519(sig, msg, publicKey)).toBe(true);
    const flipped = Buffer.from(sig);
    flipped[randomBytes(1)[0] % 64] ^= 1 << randomBytes(1)[0] % 8;
    expect(verifyEd25519(flipped, msg, publicKey)).toBe(false);
    expect(verifyEd25519(sig, msg, ed25519KeyPairFromSeed(seed).publicKey)).toBe(false);
    // The server side derivation from the 05 id finds this client among its two candidates.
    const c = blindedIdCandidates(sessionIdFromEd25519Seed(seed), serverPk)!;
    expect([c.abs, c.neg]).toContain(`15${publicKey.toString('hex')}`);
  });

  it('is deterministic (nonce derived from the seed, not random)', () => {
    const seed = hex('c010d89eccbaf5d1c6d19df766c6eedf965d4a28a56f87c9fc819edb59896dd9');
    const serverPk = hex('c3b3c6f32f0ab5a57f853cc4f30f5da7fda5624b0c77b3fb0829de562ada081d');
    expect(blindedSign(utf8('x'), seed, serverPk)).toEqual(blindedSign(utf8('x'), seed, serverPk));
  });
});

describe('invalid input', () => {
  it('blindedIdCandidates returns null for anything but a usable 05 id', () => {
    expect(blindedIdCandidates('15cef185d46b60a548641bd8c5baa4b7cf90b7da8e883c0ac774c703d249086479', SERVER_PK)).toBeNull();
    expect(blindedIdCandidates('05c506fee5118680107a4722f60a05dfcbb5737d6ffc4d163fb60479e279c6095', SERVER_PK)).toBeNull();
    expect(blindedIdCandidates('not an id', SERVER_PK)).toBeNull();
    // u ≥ p is not a canonical X25519 key.
    expect(blindedIdCandidates(`05${'ff'.repeat(32)}`, SERVER_PK)).toBeNull();
    // u = 0 maps to y = −1, a point of order 2, which blinding must refuse.
    expect(blindedIdCandidates(`05${'00'.repeat(32)}`, SERVER_PK)).toBeNull();
    // u = 1 maps to y = 0, a point of order 4.
    expect(blindedIdCandidates(`0501${'00'.repeat(31)}`, SERVER_PK)).toBeNull();
  });

  it('accepts upper-case hex and answers in lower case', () => {
    const row = BLINDING_TABLE[1];
    const c = blindedIdCandidates(row.sessionId.toUpperCase(), SERVER_PK)!;
    expect(c.neg).toBe(row.blindedId);
    expect(blindedAbs(row.blindedId.toUpperCase())).toBe(c.abs);
  });

  it('blindedAbs throws on a non-15 id', () => {
    expect(() => blindedAbs(BLINDING_TABLE[0].sessionId)).toThrow(/15-prefixed/);
    expect(() => blindedAbs('15abc')).toThrow(/15-prefixed/);
  });
});
