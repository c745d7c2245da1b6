import { createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as it arrived (what the signature covers). */
  raw: Buffer;
  body: any;
  /** How the receiver answered it. */
  answered?: Answer;
}

/** How the receiver answers a request: a status, or never (the request hangs until the sender gives up). */
export type Answer = number | 'hang';

/**
 * A webhook endpoint for tests: a local HTTP server that keeps every request it gets and answers
 * as `answer` says (200 by default), and counts the requests open at once.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  answer: (r: Received) => Answer = () => 200;
  /** Milliseconds the receiver waits before it answers. */
  delayMs = 0;
  open = 0;
  maxOpen = 0;
  private readonly hanging = new Set<http.ServerResponse>();

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = http.createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => receiver.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** What arrived at `path`, in the order it arrived. */
  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    this.open++;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    res.on('close', () => {
      this.open--;
      this.hanging.delete(res);
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
      const r: Received = { path: req.url ?? '', headers: req.headers, raw, body };
      this.received.push(r);
      const answer = (r.answered = this.answer(r));
      if (answer === 'hang') this.hanging.add(res);
      else setTimeout(() => res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok'), this.delayMs);
    });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The X-SOGS-Signature a receiver expects, computed here independently of the server's code. */
export function expectedSignature(secret: string, raw: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
