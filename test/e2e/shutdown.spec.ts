import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, startServer, Started } from '../support/processes';

/**
 * Issue #14, item 2: SIGTERM ends the server even while a client trickles its request: in-flight
 * requests get SOGS_SHUTDOWN_SECONDS, then their connections are closed and the process exits 0;
 * a second signal exits at once.
 */
describe('stopping while a slow client is connected', () => {
  let dataDir: string;
  const env = () => ({ SOGS_DATA_DIR: dataDir, SOGS_PORT: '0', SOGS_LOG_LEVEL: 'warn', SOGS_SHUTDOWN_SECONDS: '2' });

  beforeAll(async () => {
    await build();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sogs-shutdown-'));
  }, 180_000);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  /** A connection that sends a request's headers a byte at a time and never finishes them. */
  async function trickle(port: number): Promise<{ socket: net.Socket; stop(): void }> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('error', () => undefined);
    const text = 'POST /room/lobby/message HTTP/1.1\r\nHost: sogs.example.org\r\nX-Slow: ' + 'a'.repeat(10_000);
    let i = 0;
    const timer = setInterval(() => socket.writable && socket.write(text[i++ % text.length]), 100);
    return { socket, stop: () => (clearInterval(timer), socket.destroy()) };
  }

  const exited = (s: Started) => new Promise<number | null>((resolve) => s.child.once('exit', (code) => resolve(code)));

  it('exits 0 after the shutdown time, closing the slow connection', async () => {
    const server = await startServer(env());
    const slow = await trickle(server.port);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const done = exited(server);
      const closed = new Promise<void>((resolve) => slow.socket.once('close', () => resolve()));
      server.child.kill('SIGTERM');
      expect(await done).toBe(0);
      await closed;
      expect(fs.existsSync(path.join(dataDir, 'db.lock'))).toBe(false);
    } finally {
      slow.stop();
    }
  }, 30_000);

  it('exits at once (1) on a second signal', async () => {
    const server = await startServer({ ...env(), SOGS_SHUTDOWN_SECONDS: '600' });
    const slow = await trickle(server.port);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const done = exited(server);
      server.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      expect(server.child.exitCode).toBeNull(); // still waiting for the slow request
      server.child.kill('SIGTERM');
      expect(await done).toBe(1);
    } finally {
      slow.stop();
    }
  }, 30_000);
});
