import {
  initCrypto,
  onionDecrypt,
  onionEncrypt,
  onionKey,
  onionKeyForClient,
  parseEncType,
  x25519PublicKey,
  x25519SharedSecret,
} from '../../../src/crypto';
import { SERVER_PRIV_01_20, hex, range, utf8 } from './helpers';

beforeAll(initCrypto);

describe('parseEncType', () => {
  it('defaults to aes-gcm and accepts the aliases', () => {
    expect(parseEncType(undefined)).toBe('aes-gcm');
    expect(parseEncType('aes-gcm')).toBe('aes-gcm');
    expect(parseEncType('gcm')).toBe('aes-gcm');
    expect(parseEncType('xchacha20')).toBe('xchacha20');
    expect(parseEncType('xchacha20-poly1305')).toBe('xchacha20');
  });

  it('rejects everything else, including aes-cbc and case variants', () => {
    for (const s of ['aes-cbc', 'cbc', '', 'AES-GCM', 'XChaCha20', 'chacha20', ' gcm']) {
      expect([s, parseEncType(s)]).toEqual([s, null]);
    }
  });
});

describe('§4.8 onion material (server key 0x01..0x20, pysogs test ephemeral key)', () => {
  const clientPriv = hex('ec32fb5766cf52b1b5d7b0bff08e29f5c0c58ca19beaf6a5c7d3dd8ac7ced963');
  const clientPub = hex('d79a50b82ba8ca665f854382b42ba159efd16eef87409e97a8d07395b9492928');
  const serverPub = hex('07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c');
  const inner = utf8('l56:{"method":"GET","endpoint":"/capabilities","headers":{}}e');
  const xchachaBlob = hex(
    '000102030405060708090a0b0c0d0e0f1011121314151617579b7962d6b3bce5334139461eff21d4253fe7c31cd564379a93bf65e5fc78200873194c61369bfc743d66694697cd07ff6ff0e90af359795ca8dbdf5098def7f30c4ada16469f7e87718bd62e',
  );
  const gcmBlob = hex(
    'a0a1a2a3a4a5a6a7a8a9aaab1774c2181a45be7984d6f3ed28729fe542eeb5d15aa1ddc67be56dd94f52d37afa46e1a4736c7733276c33b888cc89ed40023a10b81c865eae1775e87b1554583435f84b236d508945496e7772',
  );
  const xchachaKey = 'ebe3d63b432772b315e4cd0d665445ab83a5e1a006fdb4f3dc973f6fd5348198';
  const gcmKey = '73d3328f43203413e718b5fe6aa22e39fd4d1f08f760d2a4dba0d5d80b473487';

  it('public keys and shared secret', () => {
    expect(x25519PublicKey(clientPriv)).toEqual(clientPub);
    expect(x25519PublicKey(SERVER_PRIV_01_20)).toEqual(serverPub);
    const s = '861e0fe805adba2ff5787d4049cdcd7093762a36e1c093fac1a812d59aac722b';
    expect(x25519SharedSecret(SERVER_PRIV_01_20, clientPub).toString('hex')).toBe(s);
    expect(x25519SharedSecret(clientPriv, serverPub).toString('hex')).toBe(s);
  });

  it('both symmetric keys, from either side', () => {
    expect(onionKey('xchacha20', SERVER_PRIV_01_20, serverPub, clientPub).toString('hex')).toBe(xchachaKey);
    expect(onionKey('aes-gcm', SERVER_PRIV_01_20, serverPub, clientPub).toString('hex')).toBe(gcmKey);
    expect(onionKeyForClient('xchacha20', clientPriv, clientPub, serverPub).toString('hex')).toBe(xchachaKey);
    expect(onionKeyForClient('aes-gcm', clientPriv, clientPub, serverPub).toString('hex')).toBe(gcmKey);
  });

  it('encrypts to the exact blobs with the given nonces', () => {
    expect(onionEncrypt('xchacha20', hex(xchachaKey), inner, range(0x00, 24))).toEqual(xchachaBlob);
    expect(onionEncrypt('aes-gcm', hex(gcmKey), inner, range(0xa0, 12))).toEqual(gcmBlob);
  });

  it('decrypts both blobs back to the inner plaintext', () => {
    expect(onionDecrypt('xchacha20', hex(xchachaKey), xchachaBlob)).toEqual(inner);
    expect(onionDecrypt('aes-gcm', hex(gcmKey), gcmBlob)).toEqual(inner);
  });

  it('rejects every single-byte tampering, the wrong key and the wrong algorithm', () => {
    for (const [encType, key, blob] of [
      ['xchacha20', hex(xchachaKey), xchachaBlob],
      ['aes-gcm', hex(gcmKey), gcmBlob],
    ] as const) {
      for (let i = 0; i < blob.length; i++) {
        const t = Buffer.from(blob);
        t[i] ^= 0x01;
        expect([encType, i, onionDecrypt(encType, key, t)]).toEqual([encType, i, null]);
      }
      expect(onionDecrypt(encType, hex(encType === 'aes-gcm' ? xchachaKey : gcmKey), blob)).toBeNull();
      expect(onionDecrypt(encType, key, blob.subarray(0, blob.length - 1))).toBeNull();
    }
    expect(onionDecrypt('xchacha20', hex(gcmKey), gcmBlob)).toBeNull();
    expect(onionDecrypt('aes-gcm', hex(xchachaKey), xchachaBlob)).toBeNull();
  });
});

describe('clients §5.5 "Onion request encryption" (libsession hop encryption)', () => {
  const A = hex('bbdfc83022d0aff084a6f0c529a93d1c4d728bf7e41199afed0e01ae70d20540');
  const a = hex('ccc335912da8939e2b44816728a5a4773063efa82bf7ae2d42a0abfa2caa452d');
  const B = hex('caea52c5b0c316d85ffb53ea536826618b13dee40685f166f632653114526a78');
  const b = hex('8fcd8ad3a15c76f76f1c56dff0c529999f8c59b4acda79e05666e54d5727dca1');
  const gcmBlob = hex('1eb6ae1cd72f60999486365749bd5dc15cc0b6a2a44d7d063daa5e93722f0c025fd00306403b61');
  const xchachaBlob = hex(
    '9e1a3abe60eff3ea5c23556cc7e225b6f94355315f7281f66ecf4dbb06e7899a52b863e03cde3b287d1638d765db75de02b032',
  );

  it('keypairs and intermediates', () => {
    expect(x25519PublicKey(a)).toEqual(A);
    expect(x25519PublicKey(b)).toEqual(B);
    expect(x25519SharedSecret(b, A).toString('hex')).toBe('d18901cbf26809d48c34c4fba44d3b908dbf1bdd3a7ee601a49f1e11ea70ea6e');
    expect(onionKey('aes-gcm', b, B, A).toString('hex')).toBe('4f310f62c43f14d7fea7c084819a4e394d9fc7005919275ac18d9eb8bf3e4231');
    expect(onionKey('xchacha20', b, B, A).toString('hex')).toBe('37a3af90eb276c0b4069998e97edf956b6933bd3c77d330a072cdf274e757ab5');
  });

  it('the server decrypts both blobs to "Hello world"', () => {
    expect(onionDecrypt('aes-gcm', onionKey('aes-gcm', b, B, A), gcmBlob)?.toString()).toBe('Hello world');
    expect(onionDecrypt('xchacha20', onionKey('xchacha20', b, B, A), xchachaBlob)?.toString()).toBe('Hello world');
  });

  it('the listed broken blobs fail', () => {
    const gcmBad = Buffer.from(gcmBlob);
    gcmBad[gcmBad.length - 1] = 0x69;
    expect(gcmBad.subarray(-2).toString('hex')).toBe('3b69');
    expect(onionDecrypt('aes-gcm', onionKey('aes-gcm', b, B, A), gcmBad)).toBeNull();

    const xKey = onionKey('xchacha20', b, B, A);
    const xBadEnd = Buffer.from(xchachaBlob);
    xBadEnd[xBadEnd.length - 1] = 0x33;
    expect(xBadEnd.subarray(-3).toString('hex')).toBe('02b033');
    expect(onionDecrypt('xchacha20', xKey, xBadEnd)).toBeNull();
    const xBad12 = Buffer.from(xchachaBlob);
    xBad12[12] = 0xcf;
    expect(xBad12.subarray(10, 14).toString('hex')).toBe('556ccfe2');
    expect(onionDecrypt('xchacha20', xKey, xBad12)).toBeNull();
  });
});

describe('onionEncrypt / onionDecrypt round trips and limits', () => {
  const key = range(0x40, 32);

  it('random nonces: layouts of 12+n+16 and 24+n+16 bytes, fresh each time', () => {
    const pt = utf8('Goodbye world');
    const g1 = onionEncrypt('aes-gcm', key, pt);
    const g2 = onionEncrypt('aes-gcm', key, pt);
    expect(g1).toHaveLength(12 + 13 + 16);
    expect(g1.subarray(0, 12)).not.toEqual(g2.subarray(0, 12));
    expect(onionDecrypt('aes-gcm', key, g1)).toEqual(pt);
    const x1 = onionEncrypt('xchacha20', key, pt);
    expect(x1).toHaveLength(24 + 13 + 16);
    expect(onionDecrypt('xchacha20', key, x1)).toEqual(pt);
  });

  it('empty plaintext round-trips (a tag-only blob)', () => {
    expect(onionDecrypt('aes-gcm', key, onionEncrypt('aes-gcm', key, Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
    expect(onionDecrypt('xchacha20', key, onionEncrypt('xchacha20', key, Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
  });

  it('decrypt never throws: short blobs, bad keys, unknown types', () => {
    expect(onionDecrypt('aes-gcm', key, Buffer.alloc(27))).toBeNull();
    expect(onionDecrypt('xchacha20', key, Buffer.alloc(39))).toBeNull();
    expect(onionDecrypt('aes-gcm', key, Buffer.alloc(28))).toBeNull();
    expect(onionDecrypt('xchacha20', key, Buffer.alloc(40))).toBeNull();
    expect(onionDecrypt('aes-gcm', key.subarray(1), Buffer.alloc(64))).toBeNull();
    expect(onionDecrypt('aes-cbc' as never, key, Buffer.alloc(64))).toBeNull();
  });

  it('encrypt refuses wrong key and nonce sizes', () => {
    expect(() => onionEncrypt('aes-gcm', key.subarray(1), Buffer.alloc(1))).toThrow(/32 bytes/);
    expect(() => onionEncrypt('aes-gcm', key, Buffer.alloc(1), Buffer.alloc(16))).toThrow(/12 bytes/);
    expect(() => onionEncrypt('xchacha20', key, Buffer.alloc(1), Buffer.alloc(12))).toThrow(/24 bytes/);
  });

  it('onionKey refuses a small-order client key instead of deriving a known key', () => {
    expect(() => onionKey('aes-gcm', SERVER_PRIV_01_20, x25519PublicKey(SERVER_PRIV_01_20), Buffer.alloc(32))).toThrow(
      /small order/,
    );
  });
});
