import { createHmac } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';

/** `sha256=` and the hex HMAC-SHA256 of the body under the webhook's secret: the X-SOGS-Signature header. */
export function webhookSignature(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookRequest {
  url: string;
  secret: string;
  delivery: number;
  event: string;
  /** Unix seconds, also in the body. */
  timestamp: number;
  body: string;
  timeoutMs: number;
  /** Aborted: the attempt is given up (shutdown). */
  signal: AbortSignal;
}

/** An HTTP status, or why there was none. */
export type WebhookResponse = { status: number } | { error: string };

/**
 * POSTs one delivery and resolves with the status once the response headers arrive (the body is
 * discarded), or with the reason it failed: refused, timed out, aborted. Never rejects. Redirects
 * are not followed (a 3xx is a failed attempt). A new connection per attempt: nothing lingers.
 */
export function sendWebhook(r: WebhookRequest): Promise<WebhookResponse> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(r.url);
    } catch {
      return resolve({ error: 'invalid URL' });
    }
    const body = Buffer.from(r.body);
    const send = url.protocol === 'https:' ? https.request : http.request;
    let settled = false;
    const settle = (result: WebhookResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = send(url, {
      method: 'POST',
      agent: false,
      signal: r.signal,
      headers: {
        'content-type': 'application/json',
        'content-length': body.length,
        'user-agent': 'sogs-webhooks',
        'x-sogs-delivery': String(r.delivery),
        'x-sogs-event': r.event,
        'x-sogs-timestamp': String(r.timestamp),
        'x-sogs-signature': webhookSignature(r.secret, body),
      },
    });
    const timer = setTimeout(() => {
      settle({ error: `no answer within ${r.timeoutMs / 1000} s` });
      req.destroy();
    }, r.timeoutMs);
    req.on('response', (res) => {
      settle({ status: res.statusCode ?? 0 });
      // The body is not wanted: read it off, and close the connection when it ends or after a second.
      res.resume();
      res.on('error', () => undefined);
      const cut = setTimeout(() => req.destroy(), 1000).unref();
      res.on('end', () => {
        clearTimeout(cut);
        req.destroy();
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      settle({ error: r.signal.aborted ? 'abandoned at shutdown' : (err.code ?? err.message) });
    });
    req.end(body);
  });
}
