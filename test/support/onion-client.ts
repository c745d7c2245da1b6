import { randomBytes } from 'node:crypto';
import {
  bdecodeList,
  bencodeList,
  buildOnionEnvelope,
  onionDecrypt,
  onionEncrypt,
  onionKeyForClient,
  OnionEncType,
  x25519PublicKey,
} from '../../src/crypto';
import { SessionClient } from './session-client';

export interface InnerRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query as the client puts it in the onion request (raw UTF-8 allowed). */
  endpoint: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

/** What the Session desktop makes of a v4 reply: status, headers, and the body parsed when JSON. */
export interface DecodedV4Reply {
  code: number;
  headers: Record<string, string>;
  raw: Buffer;
  json?: unknown;
}

/**
 * Wraps requests as a service node would deliver them to the server, the way Session clients build
 * them: a fresh ephemeral X25519 key per request, aes-gcm (desktop default, no enc_type sent) or
 * xchacha20 (libsession clients), and decodes the encrypted replies.
 */
export class OnionClient {
  constructor(readonly serverPk: Buffer) {}

  /** The outer body for POST /oxen/v4/lsrpc, and the function that opens its reply. */
  v4(inner: InnerRequest, opts: { encType?: OnionEncType; sendEncType?: boolean; signAs?: SessionClient } = {}) {
    const encType = opts.encType ?? 'aes-gcm';
    const { key, ephemeral } = this.keys(encType);
    const headers = { ...inner.headers, ...(opts.signAs ? opts.signAs.headers({ method: inner.method, url: inner.endpoint, body: inner.body }) : {}) };
    const meta = JSON.stringify({ method: inner.method, endpoint: inner.endpoint, headers });
    const plaintext = bencodeList(inner.body?.length ? [meta, inner.body] : [meta]);
    const body = this.envelope(onionEncrypt(encType, key, plaintext), ephemeral, encType, opts.sendEncType ?? encType !== 'aes-gcm', '/oxen/v4/lsrpc');
    return {
      body,
      decode: (reply: Buffer): DecodedV4Reply => {
        const plain = onionDecrypt(encType, key, reply);
        if (!plain) throw new Error('reply did not decrypt');
        const parts = bdecodeList(plain);
        if (!parts || parts.length !== 2) throw new Error(`reply is not a 2-element list: ${plain.toString('hex')}`);
        const m = JSON.parse(parts[0].toString('utf8')) as { code: number; headers: Record<string, string> };
        const decoded: DecodedV4Reply = { code: m.code, headers: m.headers, raw: parts[1] };
        if (m.headers['content-type'] === 'application/json') decoded.json = JSON.parse(parts[1].toString('utf8'));
        return decoded;
      },
    };
  }

  /** The outer body for POST /loki/v3/lsrpc (JSON inner request, string body) and its reply decoder. */
  v3(inner: InnerRequest, opts: { encType?: OnionEncType; signAs?: SessionClient } = {}) {
    const encType = opts.encType ?? 'aes-gcm';
    const { key, ephemeral } = this.keys(encType);
    const headers = { ...inner.headers, ...(opts.signAs ? opts.signAs.headers({ method: inner.method, url: inner.endpoint, body: inner.body }) : {}) };
    const json = JSON.stringify({ method: inner.method, endpoint: inner.endpoint, headers, body: inner.body?.toString('utf8') });
    const body = this.envelope(onionEncrypt(encType, key, Buffer.from(json)), ephemeral, encType, encType !== 'aes-gcm', '/loki/v3/lsrpc');
    return {
      body,
      decode: (reply: string): Buffer => {
        const plain = onionDecrypt(encType, key, Buffer.from(reply, 'base64'));
        if (!plain) throw new Error('reply did not decrypt');
        return plain;
      },
    };
  }

  private keys(encType: OnionEncType) {
    const priv = randomBytes(32);
    const ephemeral = x25519PublicKey(priv);
    return { key: onionKeyForClient(encType, priv, ephemeral, this.serverPk), ephemeral };
  }

  private envelope(blob: Buffer, ephemeral: Buffer, encType: OnionEncType, sendEncType: boolean, target: string): Buffer {
    const meta: Record<string, unknown> = { host: 'sogs.example.org', port: 443, protocol: 'https', target, ephemeral_key: ephemeral.toString('hex') };
    if (sendEncType) meta.enc_type = encType;
    return buildOnionEnvelope(blob, JSON.stringify(meta));
  }
}
