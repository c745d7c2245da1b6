import { createHash } from 'node:crypto';
import {
  bdecodeList,
  bencodeList,
  blindedKeyPair,
  blindedSign,
  buildOnionEnvelope,
  decodeEphemeralKey,
  decodeHexOrBase64,
  initCrypto,
  onionDecrypt,
  onionEncrypt,
  onionKeyForClient,
  openOnionRequest,
  OpenedOnionRequest,
  sealOnionReply,
  signedMessage,
  splitOnionEnvelope,
  verifyEd25519,
  x25519PublicKey,
} from '../../../src/crypto';
import { SERVER_PRIV_01_20, b64, hex, range, utf8 } from './helpers';
import {
  E2E_REPLY_BLOB,
  E2E_REQUEST_BODY,
  E2E_REQUEST_BODY_SHA256,
  PARSER_AES_GCM_REQUEST,
  PARSER_XCHACHA_REQUEST,
} from './onion-vectors';

beforeAll(initCrypto);

function expectOpened(r: ReturnType<typeof openOnionRequest>): OpenedOnionRequest {
  if (!r.ok) throw new Error(`onion request rejected: ${r.reason}`);
  return r;
}

// sogs-clients.md §5.5 "Onion request parser" keys; §5.6 reuses them.
const PARSER_A = hex('8167e97672005c669a48858c69895f395ca235219ac3f7a4210022b1f910e652');
const PARSER_a = hex('d2ee09e1a557a077d385fcb69a11ffb6909ecdcc8348def3e0e4172c8a1431c1');
const PARSER_B = hex('8388de69bc0d4b6196133233ad9a46ba0473474bc67718aad96a3a33c257f726');
const PARSER_b = hex('2f4d1c0d28e137777ec0a316e9f4f763e3e66662a6c51994c6315c9ef34b6deb');

describe('onion envelope', () => {
  it('splits [N LE][blob][json]', () => {
    const body = Buffer.concat([hex('03000000'), utf8('abc{"x":1}')]);
    const env = splitOnionEnvelope(body)!;
    expect(env.blob.toString()).toBe('abc');
    expect(env.json.toString()).toBe('{"x":1}');
    expect(buildOnionEnvelope(utf8('abc'), '{"x":1}')).toEqual(body);
  });

  it('reads N as little-endian, not big-endian', () => {
    const body = Buffer.concat([hex('01000000'), utf8('a{}')]);
    expect(splitOnionEnvelope(body)!.blob.toString()).toBe('a');
    expect(splitOnionEnvelope(Buffer.concat([hex('00000001'), utf8('a{}')]))).toBeNull();
  });

  it('rejects bodies shorter than the prefix or than N', () => {
    expect(splitOnionEnvelope(Buffer.alloc(0))).toBeNull();
    expect(splitOnionEnvelope(hex('010000'))).toBeNull();
    expect(splitOnionEnvelope(hex('04000000616263'))).toBeNull();
    expect(splitOnionEnvelope(hex('ffffffff'))).toBeNull();
    expect(splitOnionEnvelope(hex('03000000616263'))?.json.length).toBe(0);
  });
});

describe('§4.8 full xchacha20 request body', () => {
  const clientPub = 'd79a50b82ba8ca665f854382b42ba159efd16eef87409e97a8d07395b9492928';
  const serverPub = hex('07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c');
  const inner = 'l56:{"method":"GET","endpoint":"/capabilities","headers":{}}e';
  const json = `{"host":"localhost","port":80,"protocol":"http","target":"/oxen/v4/lsrpc","ephemeral_key":"${clientPub}","enc_type":"xchacha20"}`;
  const blob = hex(
    '000102030405060708090a0b0c0d0e0f1011121314151617579b7962d6b3bce5334139461eff21d4253fe7c31cd564379a93bf65e5fc78200873194c61369bfc743d66694697cd07ff6ff0e90af359795ca8dbdf5098def7f30c4ada16469f7e87718bd62e',
  );

  it('builds the body as 65000000 ‖ blob ‖ JSON from the client side', () => {
    const clientPriv = hex('ec32fb5766cf52b1b5d7b0bff08e29f5c0c58ca19beaf6a5c7d3dd8ac7ced963');
    const key = onionKeyForClient('xchacha20', clientPriv, hex(clientPub), serverPub);
    const built = buildOnionEnvelope(onionEncrypt('xchacha20', key, utf8(inner), range(0, 24)), json);
    expect(built).toEqual(Buffer.concat([hex('65000000'), blob, utf8(json)]));
  });

  it('opens it and parses the inner v4 request', () => {
    const body = Buffer.concat([hex('65000000'), blob, utf8(json)]);
    const r = expectOpened(openOnionRequest(body, SERVER_PRIV_01_20, serverPub));
    expect(r.encType).toBe('xchacha20');
    expect(r.key.toString('hex')).toBe('ebe3d63b432772b315e4cd0d665445ab83a5e1a006fdb4f3dc973f6fd5348198');
    expect(r.plaintext.toString()).toBe(inner);
    expect(r.metadata.target).toBe('/oxen/v4/lsrpc');
    const parts = bdecodeList(r.plaintext, 2)!;
    expect(parts).toHaveLength(1);
    expect(JSON.parse(parts[0].toString())).toEqual({ method: 'GET', endpoint: '/capabilities', headers: {} });
  });

  it('treats a missing enc_type as aes-gcm, so this xchacha blob then fails', () => {
    const noEncType = `{"ephemeral_key":"${clientPub}"}`;
    const r = openOnionRequest(buildOnionEnvelope(blob, noEncType), SERVER_PRIV_01_20, serverPub);
    expect(r).toEqual({ ok: false, reason: 'decryption failed', encType: 'aes-gcm' });
  });
});

describe('clients §5.5 "Onion request parser" full bodies', () => {
  it('AES-GCM request (N = 39): key and "Hello world"; the reply is 12 + 13 + 16 bytes', () => {
    const body = hex(PARSER_AES_GCM_REQUEST);
    expect(body.readUInt32LE(0)).toBe(39);
    const r = expectOpened(openOnionRequest(body, PARSER_b, PARSER_B));
    expect(r.encType).toBe('aes-gcm');
    expect(r.key.toString('hex')).toBe('6215038efa8c2735db1aa5a086f75b51e972b8bdcf6926480bdec488cd4db99d');
    expect(r.plaintext.toString()).toBe('Hello world');
    expect(r.metadata).toEqual({ enc_type: 'aes-gcm', ephemeral_key: PARSER_A.toString('hex') });
    const reply = sealOnionReply(r, utf8('Goodbye world'));
    expect(reply).toHaveLength(12 + 13 + 16);
    const clientKey = onionKeyForClient('aes-gcm', PARSER_a, PARSER_A, PARSER_B);
    expect(onionDecrypt('aes-gcm', clientKey, reply)?.toString()).toBe('Goodbye world');
  });

  it('XChaCha20 request (N = 51): key and "Hello world"; the reply is 24 + 13 + 16 bytes', () => {
    const body = hex(PARSER_XCHACHA_REQUEST);
    expect(body.readUInt32LE(0)).toBe(51);
    const r = expectOpened(openOnionRequest(body, PARSER_b, PARSER_B));
    expect(r.encType).toBe('xchacha20');
    expect(r.key.toString('hex')).toBe('539091d458c3ba5ec79e5d2784452698e7c5f44138cdfeafca72e19c322e8fe5');
    expect(r.plaintext.toString()).toBe('Hello world');
    const reply = sealOnionReply(r, utf8('Goodbye world'));
    expect(reply).toHaveLength(24 + 13 + 16);
    const clientKey = onionKeyForClient('xchacha20', PARSER_a, PARSER_A, PARSER_B);
    expect(onionDecrypt('xchacha20', clientKey, reply)?.toString()).toBe('Goodbye world');
  });

  it('the client ephemeral keypair matches', () => {
    expect(x25519PublicKey(PARSER_a)).toEqual(PARSER_A);
    expect(x25519PublicKey(PARSER_b)).toEqual(PARSER_B);
  });
});

describe('clients §5.6 end-to-end desktop-shaped v4 request', () => {
  const seed = hex('c010d89eccbaf5d1c6d19df766c6eedf965d4a28a56f87c9fc819edb59896dd9');
  const batchBody =
    '[{"method":"GET","path":"/capabilities"},{"method":"GET","path":"/room/test/pollInfo/0"},{"method":"GET","path":"/room/test/messages/recent?reactors=5"}]';
  const signature = 'QppsgAl37UlRjpgi5GWPdrce35QGzIBwXOHKi7esHIU0cC3NwYdQagzIcACzKSt4aOe7aqLjXI5F649BEmZWDg==';
  const outerJson =
    '{"host":"sogs.example.org","target":"/oxen/v4/lsrpc","method":"POST","ephemeral_key":"8167e97672005c669a48858c69895f395ca235219ac3f7a4210022b1f910e652"}';
  const meta = {
    endpoint: '/batch',
    headers: {
      'X-SOGS-Pubkey': '158f705fbc5125ec71d3da9d3078a9464614485b09e17f6d8ca64d60e9ef20ce5a',
      'X-SOGS-Timestamp': '1642472103',
      'X-SOGS-Nonce': 'CdB5nyKVmQGCw6s0Bvv8Ww==',
      'X-SOGS-Signature': signature,
      'Content-Type': 'application/json',
    },
    method: 'POST',
  };

  it('the body is the listed bytes', () => {
    expect(createHash('sha256').update(hex(E2E_REQUEST_BODY)).digest('hex')).toBe(E2E_REQUEST_BODY_SHA256);
  });

  it('the client side rebuilds the body byte for byte (desktop key order, IV 00..0b)', () => {
    const headerSig = blindedSign(
      signedMessage({
        serverPk: PARSER_B,
        nonce: b64('CdB5nyKVmQGCw6s0Bvv8Ww=='),
        timestamp: '1642472103',
        method: 'POST',
        path: '/batch',
        query: '',
        body: utf8(batchBody),
      }),
      seed,
      PARSER_B,
    );
    expect(headerSig.toString('base64')).toBe(signature);
    const plaintext = bencodeList([JSON.stringify(meta), batchBody]);
    const key = onionKeyForClient('aes-gcm', PARSER_a, PARSER_A, PARSER_B);
    const body = buildOnionEnvelope(onionEncrypt('aes-gcm', key, plaintext, range(0, 12)), outerJson);
    expect(body.toString('hex')).toBe(E2E_REQUEST_BODY);
  });

  it('the server opens it, parses the v4 request and accepts the blinded signature', () => {
    const r = expectOpened(openOnionRequest(hex(E2E_REQUEST_BODY), PARSER_b, PARSER_B));
    expect(r.encType).toBe('aes-gcm');
    expect(r.metadata).toEqual(JSON.parse(outerJson));
    expect(decodeEphemeralKey(r.metadata.ephemeral_key as string)).toEqual(PARSER_A);

    const parts = bdecodeList(r.plaintext, 2)!;
    expect(parts).toHaveLength(2);
    const parsedMeta = JSON.parse(parts[0].toString('utf8'));
    expect(parsedMeta).toEqual(meta);
    expect(parts[1].toString('utf8')).toBe(batchBody);

    const headers = parsedMeta.headers as Record<string, string>;
    const pubkey = decodeHexOrBase64(headers['X-SOGS-Pubkey'], 33)!;
    expect(pubkey[0]).toBe(0x15);
    const kA = pubkey.subarray(1);
    expect(kA).toEqual(blindedKeyPair(seed, PARSER_B).publicKey);
    const nonce = decodeHexOrBase64(headers['X-SOGS-Nonce'], 16)!;
    const sig = decodeHexOrBase64(headers['X-SOGS-Signature'], 64)!;
    const msg = signedMessage({
      serverPk: PARSER_B,
      nonce,
      timestamp: headers['X-SOGS-Timestamp'],
      method: parsedMeta.method,
      path: parsedMeta.endpoint,
      query: '',
      body: parts[1],
    });
    expect(verifyEd25519(sig, msg, kA)).toBe(true);
    // The body hash is part of what is signed: a changed batch must not verify.
    const tampered = signedMessage({ serverPk: PARSER_B, nonce, timestamp: '1642472103', method: 'POST', path: '/batch', query: '', body: utf8(`${batchBody} `) });
    expect(verifyEd25519(sig, tampered, kA)).toBe(false);
  });

  it('the reply with IV 0b0a…00 is the listed blob, and the client decodes it', () => {
    const r = expectOpened(openOnionRequest(hex(E2E_REQUEST_BODY), PARSER_b, PARSER_B));
    const replyPlain = bencodeList([
      '{"code":200,"headers":{"content-type":"application/json"}}',
      '{"capabilities":["blind","reactions","sogs"]}',
    ]);
    expect(replyPlain.toString()).toBe(
      'l58:{"code":200,"headers":{"content-type":"application/json"}}45:{"capabilities":["blind","reactions","sogs"]}e',
    );
    const reply = sealOnionReply(r, replyPlain, hex('0b0a09080706050403020100'));
    expect(reply.toString('hex')).toBe(E2E_REPLY_BLOB);
    const clientKey = onionKeyForClient('aes-gcm', PARSER_a, PARSER_A, PARSER_B);
    expect(onionDecrypt('aes-gcm', clientKey, hex(E2E_REPLY_BLOB))).toEqual(replyPlain);
  });
});

describe('openOnionRequest rejections (all plain HTTP 400 material)', () => {
  const body = hex(PARSER_AES_GCM_REQUEST);
  const blob = splitOnionEnvelope(body)!.blob;
  const key = PARSER_A.toString('hex');
  const open = (b: Uint8Array) => openOnionRequest(b, PARSER_b, PARSER_B);
  const reason = (b: Uint8Array) => {
    const r = open(b);
    return r.ok ? 'accepted' : r.reason;
  };

  it.each([
    ['too short', hex('2700'), 'body too short or blob length exceeds body'],
    ['N past the end', Buffer.concat([hex('ff000000'), blob]), 'body too short or blob length exceeds body'],
    ['no JSON', buildOnionEnvelope(blob, ''), 'routing metadata is not JSON'],
    ['broken JSON', buildOnionEnvelope(blob, '{"ephemeral_key":'), 'routing metadata is not JSON'],
    ['JSON array', buildOnionEnvelope(blob, `["${key}"]`), 'routing metadata is not a JSON object'],
    ['JSON null', buildOnionEnvelope(blob, 'null'), 'routing metadata is not a JSON object'],
    ['missing ephemeral_key', buildOnionEnvelope(blob, '{"enc_type":"aes-gcm"}'), 'missing ephemeral_key'],
    ['numeric ephemeral_key', buildOnionEnvelope(blob, '{"ephemeral_key":5}'), 'missing ephemeral_key'],
    ['short ephemeral_key', buildOnionEnvelope(blob, `{"ephemeral_key":"${key.slice(2)}"}`), 'invalid ephemeral_key'],
    ['unknown enc_type', buildOnionEnvelope(blob, `{"ephemeral_key":"${key}","enc_type":"aes-cbc"}`), 'unsupported enc_type "aes-cbc"'],
    ['non-string enc_type', buildOnionEnvelope(blob, `{"ephemeral_key":"${key}","enc_type":1}`), 'invalid enc_type'],
    ['small-order ephemeral_key', buildOnionEnvelope(blob, `{"ephemeral_key":"${'00'.repeat(32)}"}`), 'ephemeral_key is not a usable X25519 key'],
    ['wrong algorithm', buildOnionEnvelope(blob, `{"ephemeral_key":"${key}","enc_type":"xchacha20"}`), 'decryption failed'],
  ])('%s', (_name, input, expected) => {
    expect(reason(input)).toBe(expected);
  });

  it('a tampered blob', () => {
    const t = Buffer.from(body);
    t[10] ^= 0x80;
    expect(reason(t)).toBe('decryption failed');
  });

  it('the wrong server key', () => {
    expect(openOnionRequest(body, SERVER_PRIV_01_20, x25519PublicKey(SERVER_PRIV_01_20))).toEqual({
      ok: false,
      reason: 'decryption failed',
      encType: 'aes-gcm',
    });
  });

  it('names the algorithm of an envelope that got as far as naming one (for the metrics), no other', () => {
    const named = open(buildOnionEnvelope(blob, `{"ephemeral_key":"${key}","enc_type":"xchacha20"}`));
    expect(named).toEqual({ ok: false, reason: 'decryption failed', encType: 'xchacha20' });
    expect(open(buildOnionEnvelope(blob, `{"ephemeral_key":"${key}","enc_type":"aes-cbc"}`))).not.toHaveProperty('encType');
  });

  it('accepts the "gcm" alias and a base64 ephemeral key', () => {
    const r = open(buildOnionEnvelope(blob, `{"ephemeral_key":"${PARSER_A.toString('base64')}","enc_type":"gcm"}`));
    expect(r.ok && r.plaintext.toString()).toBe('Hello world');
  });
});
