import * as net from 'node:net';
import { AddressInfo } from 'node:net';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Issue #14, item 6: a body declared over the limit is answered (413, or 400 for an onion request)
 * before any of it is read, and the client reads that answer instead of a reset connection, even
 * while it is still sending. A client that asks first (`Expect: 100-continue`) is refused without
 * sending the body.
 */
describe('bodies over the limit', () => {
  let t: TestApp;
  let port: number;
  const LIMIT = 100_000; // uploads; other requests may carry LIMIT + 1 MiB
  const DECLARED = 8_000_000;

  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_UPLOAD_MAX_BYTES: String(LIMIT) } });
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    port = (t.server.address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  /** Sends the headers, then the whole declared body as fast as the socket takes it; returns the first line seen. */
  const send = (path: string, headers: string[] = [], sendBody = true) =>
    new Promise<{ status: string; response: string; error?: string }>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let response = '';
      const finish = (error?: string) => resolve({ status: response.split('\r\n')[0], response, error });
      s.on('connect', () => {
        s.write([`POST ${path} HTTP/1.1`, 'Host: sogs.example.org', 'Content-Type: application/octet-stream', `Content-Length: ${DECLARED}`, ...headers, '', ''].join('\r\n'));
        if (!sendBody) return;
        const chunk = Buffer.alloc(64 * 1024, 0x78);
        let sent = 0;
        const pump = () => {
          while (sent < DECLARED && !s.destroyed) {
            sent += chunk.length;
            if (!s.write(chunk)) return void s.once('drain', pump);
          }
        };
        pump();
      });
      s.on('data', (d: Buffer) => {
        response += d.toString('latin1');
        // The answer is in: stop sending, as a real client does.
        if (/\r\n\r\n/.test(response) && !response.startsWith('HTTP/1.1 100')) s.destroy();
      });
      s.on('error', (e: NodeJS.ErrnoException) => finish(e.code));
      s.on('close', () => finish());
    });

  it.each([
    ['/batch', 'HTTP/1.1 413 Payload Too Large', `Request body too large: the limit is ${LIMIT + 1024 * 1024} bytes`],
    ['/oxen/v4/lsrpc', 'HTTP/1.1 400 Bad Request', 'Invalid onion request: too large'],
    ['/room/lobby/file', 'HTTP/1.1 413 Payload Too Large', `File too large: the limit is ${LIMIT} bytes`],
  ])('%s: every one of 20 clients streaming an oversized body reads the answer', async (path, status, body) => {
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await send(path);
      seen.push(r.status || `nothing (${r.error ?? 'closed'})`);
      if (r.status === status) expect(r.response.endsWith(`\r\n\r\n${body}`)).toBe(true);
    }
    expect(seen).toEqual(Array(20).fill(status));
  });

  it('refuses instead of inviting the body when the client sends Expect: 100-continue', async () => {
    const r = await send('/batch', ['Expect: 100-continue'], false);
    expect(r.status).toBe('HTTP/1.1 413 Payload Too Large');
    expect(r.response).toMatch(/\r\nconnection: close\r\n/i);
    expect(r.response).not.toContain('100 Continue');
  });

  it('still invites a body within the limit', async () => {
    const s = net.connect(port, '127.0.0.1');
    const first = await new Promise<string>((resolve) => {
      s.on('connect', () => s.write('POST /batch HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n'));
      s.once('data', (d: Buffer) => resolve(d.toString('latin1')));
    });
    expect(first.startsWith('HTTP/1.1 100 Continue')).toBe(true);
    s.destroy();
  });
});
