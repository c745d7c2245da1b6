import * as net from 'node:net';
import { AddressInfo } from 'node:net';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * A client that trickles its request headers is answered 408 and cut off once
 * SOGS_HEADERS_TIMEOUT_SECONDS (1 s here) have passed, checked every second rather than at Node's
 * default 30 s, so it cannot hold a connection (or a stopping server) for long.
 */
describe('slow clients', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ env: { SOGS_HEADERS_TIMEOUT_SECONDS: '1' } });
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    port = (t.server.address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  /** Writes `request` a byte every `everyMs`; resolves with what the server answered and how many bytes it had taken. */
  const trickle = (request: string, everyMs: number) =>
    new Promise<{ response: string; sent: number }>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let response = '';
      let sent = 0;
      const timer = setInterval(() => {
        if (sent < request.length && !s.destroyed) s.write(request[sent++]);
      }, everyMs);
      s.on('data', (d: Buffer) => (response += d.toString('latin1')));
      const done = () => {
        clearInterval(timer);
        resolve({ response, sent });
      };
      s.on('error', done);
      s.on('close', done);
    });

  it('answers 408 and closes the connection of a client still sending its headers after the timeout', async () => {
    // 60 header bytes at 200 ms each would take 12 s.
    const request = `GET /capabilities HTTP/1.1\r\nHost: a\r\nX-Pad: ${'x'.repeat(12)}\r\n\r\n`;
    expect(request.length).toBe(60);
    const { response, sent } = await trickle(request, 200);
    expect(response).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(sent).toBeLessThan(request.length);
  }, 30_000);

  it('serves a client whose headers arrive within the timeout', async () => {
    const { response } = await trickle('GET /capabilities HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', 5);
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response).toContain('{"capabilities":["blind","reactions","sogs"]}');
  });
});
