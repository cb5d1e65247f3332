import net from 'node:net';

/**
 * What the proxy does with traffic:
 * - up: forwards both ways.
 * - down: the link is cut: open connections are reset and new ones are closed at once (connect
 *   fails fast with ECONNRESET, as when the server's host is down and says so).
 * - blackhole: connections are accepted and nothing is ever forwarded or answered (a partition, a
 *   hung server): only a client-side timeout ends the wait.
 */
export type ProxyMode = 'up' | 'down' | 'blackhole';

interface Link {
  client: net.Socket;
  upstream?: net.Socket;
  /** Saw the blackhole: bytes were dropped, so the protocol stream is broken and must not resume. */
  tainted: boolean;
}

/**
 * A loopback TCP proxy in front of a real service (Postgres, NATS), for tests and `npm run chaos`
 * to cut, blackhole and restore a connection without touching the service itself.
 */
export class TcpProxy {
  private readonly links = new Set<Link>();
  private mode: ProxyMode = 'up';

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1 (a free port) and forwards to target. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (socket) => proxy.accept(socket, target));
    return proxy;
  }

  /** `postgres://u@host:port/db` -> the same URL through this proxy. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  get current(): ProxyMode {
    return this.mode;
  }

  /** Connections open now (both sides), for tests that check a pool reconnected. */
  get connections(): number {
    return this.links.size;
  }

  set(mode: ProxyMode): void {
    this.mode = mode;
    if (mode === 'down') for (const link of this.links) this.drop(link);
    if (mode === 'blackhole') for (const link of this.links) link.tainted = true;
    // Back up: a connection that lost bytes in the blackhole would resume mid-message; reset it.
    if (mode === 'up') for (const link of this.links) if (link.tainted) this.drop(link);
  }

  async close(): Promise<void> {
    for (const link of this.links) this.drop(link);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    if (this.mode === 'down') {
      client.resetAndDestroy();
      return;
    }
    const link: Link = { client, tainted: this.mode === 'blackhole' };
    this.links.add(link);
    client.on('error', () => this.drop(link));
    client.on('close', () => this.drop(link));
    client.on('data', (chunk) => {
      if (this.mode === 'up' && !link.tainted) link.upstream?.write(chunk);
    });
    if (link.tainted) return; // accepted, never connected onward
    const upstream = net.connect(target.port, target.host);
    link.upstream = upstream;
    upstream.on('error', () => this.drop(link));
    upstream.on('close', () => this.drop(link));
    upstream.on('data', (chunk) => {
      if (this.mode === 'up' && !link.tainted) client.write(chunk);
    });
    // Bytes the client sent before the upstream connected are buffered by the socket's write queue.
  }

  private drop(link: Link): void {
    if (!this.links.delete(link)) return;
    link.client.resetAndDestroy();
    link.upstream?.destroy();
  }
}
