/**
 * A TCP proxy on 127.0.0.1 in front of a real server, so a test can cut
 * every connection through it and refuse new ones (as a dead server would)
 * without touching the shared server, then let them through again on the
 * same port.
 */
import { once } from 'node:events';
import * as net from 'node:net';
import { freePort } from './common';

export class TcpProxy {
  private server: net.Server | undefined;
  private readonly pairs = new Set<net.Socket>();
  /** Connections accepted in all. */
  accepted = 0;

  private constructor(
    readonly port: number,
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens on a free port and forwards to target. */
  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), targetHost, targetPort);
    await proxy.up();
    return proxy;
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  /** Starts forwarding again on the same port. */
  async up(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      this.accepted++;
      const upstream = net.connect({ host: this.targetHost, port: this.targetPort });
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      for (const s of [client, upstream]) {
        this.pairs.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.pairs.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
  }

  /** Cuts every connection and stops listening: new connections are refused. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.pairs) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Open client and upstream sockets. */
  get open(): number {
    return this.pairs.size;
  }
}
