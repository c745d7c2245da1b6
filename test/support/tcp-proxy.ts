import * as net from 'node:net';

/**
 * A TCP relay between a server under test and its database that can be frozen: while frozen it
 * accepts connections and keeps every socket open but passes no byte either way, which is what a
 * database host that hangs (stopped process, lost network) looks like to its clients.
 */
export class TcpProxy {
  private frozen = false;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  /** What arrived while frozen, delivered in order on thaw. */
  private held: Array<[net.Socket, Buffer]> = [];

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static start(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
    return new Promise((resolve, reject) => {
      let proxy: TcpProxy;
      const server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        const pair: [net.Socket, net.Socket] = [client, upstream];
        proxy.pairs.add(pair);
        const relay = (to: net.Socket) => (data: Buffer) => (proxy.frozen ? proxy.held.push([to, data]) : to.write(data));
        client.on('data', relay(upstream));
        upstream.on('data', relay(client));
        const end = () => {
          proxy.pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        };
        for (const s of pair) s.on('error', end).on('close', end);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
        resolve(proxy);
      });
    });
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const [to, data] of this.held) if (!to.destroyed) to.write(data);
    this.held = [];
  }

  close(): Promise<void> {
    for (const pair of this.pairs) pair.forEach((s) => s.destroy());
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}
