import * as net from 'node:net';

/** The part of PGlite this server drives. */
export interface PgliteBackend {
  execProtocolRawStream(message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }): Promise<void>;
  isInTransaction(): boolean;
  runExclusive<T>(fn: () => Promise<T>): Promise<T>;
  exec(sql: string): Promise<unknown>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/**
 * Serves one PGlite database to many PostgreSQL-protocol clients on a unix socket.
 *
 * PGlite is a single session, so clients must take turns, and a turn cannot be one wire message
 * (as in @electric-sql/pglite-socket 0.2.17, where concurrent clients' Parse/Bind messages
 * interleave and corrupt each other's unnamed statement): a turn here is everything up to a Sync
 * or a simple Query, and it lasts for as long as the client is inside a transaction.
 */
export class PgliteSocketServer {
  private readonly server: net.Server;
  private readonly gate = new Gate();
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly db: PgliteBackend) {
    this.server = net.createServer((socket) => this.serve(socket));
  }

  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    const conn = new Connection();
    let buffer = Buffer.alloc(0);
    let chain = Promise.resolve();
    let closed = false;

    const runUnit = (bytes: Buffer, endsTurn: boolean) => {
      chain = chain.then(async () => {
        if (closed) return;
        await this.gate.acquire(conn);
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(bytes, { onRawData: (d) => !socket.destroyed && socket.write(Buffer.from(d)) }),
          );
        } finally {
          if (endsTurn && !this.db.isInTransaction()) this.gate.release(conn);
        }
      });
      chain.catch(() => socket.destroy());
    };

    socket.on('data', (chunk) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        if (!conn.started) {
          if (buffer.length < 8) return;
          const len = buffer.readInt32BE(0);
          if (len < 8 || len > 10_000) return void socket.destroy();
          if (buffer.length < len) return;
          const code = buffer.readInt32BE(4);
          const message = buffer.subarray(0, len);
          buffer = buffer.subarray(len);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) socket.write('N');
          else if (code === CANCEL_REQUEST) return void socket.destroy();
          else {
            conn.started = true;
            runUnit(Buffer.from(message), true);
          }
          continue;
        }
        if (buffer.length < 5) return;
        const len = buffer.readInt32BE(1);
        if (len < 4) return void socket.destroy();
        if (buffer.length < len + 1) return;
        const type = String.fromCharCode(buffer[0]);
        const message = buffer.subarray(0, len + 1);
        buffer = buffer.subarray(len + 1);
        if (type === 'X') return void socket.end();
        conn.pending.push(Buffer.from(message));
        // Sync and Query end a unit of work; Flush asks for output but keeps the turn.
        if (type === 'S' || type === 'Q' || type === 'H') {
          runUnit(Buffer.concat(conn.pending), type !== 'H');
          conn.pending = [];
        }
      }
    });

    const cleanup = () => {
      if (closed) return;
      closed = true;
      this.sockets.delete(socket);
      // A client that vanished inside its turn must not leave the database in its transaction.
      chain = chain.finally(async () => {
        if (this.gate.owner !== conn) return;
        try {
          if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
        } finally {
          this.gate.release(conn);
        }
      });
    };
    socket.on('close', cleanup);
    socket.on('error', cleanup);
  }
}

class Connection {
  started = false;
  pending: Buffer[] = [];
}

/** How long a client waits for its turn before its connection is dropped (a stuck transaction). */
const TURN_TIMEOUT_MS = 60_000;

/** A FIFO lock whose owner can re-enter (a connection keeps it across its transaction). */
class Gate {
  owner: Connection | null = null;
  private readonly waiting: Array<{ conn: Connection; resolve: () => void }> = [];

  acquire(conn: Connection): Promise<void> {
    if (this.owner === null || this.owner === conn) {
      this.owner = conn;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = {
        conn,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        reject(new Error('timed out waiting for the embedded database'));
      }, TURN_TIMEOUT_MS);
      this.waiting.push(entry);
    });
  }

  release(conn: Connection): void {
    if (this.owner !== conn) return;
    const next = this.waiting.shift();
    this.owner = next ? next.conn : null;
    next?.resolve();
  }
}
