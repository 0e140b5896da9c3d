/**
 * Cluster and sentinel nodes behind a bastion announce addresses only the
 * bastion can reach. ioredis asks its `natMap` (synchronously) where to dial
 * each announced `host:port`; this gives every announced node a local
 * 127.0.0.1 forward through the profile's SSH tunnel, made on first use.
 *
 * A listener cannot be bound synchronously, so a few are kept bound ahead
 * ("spares"): a node seen for the first time takes one at once and a new
 * spare is bound behind it. When a burst of new nodes uses up the spares,
 * the node is mapped to a local listener that closes every connection (never
 * to its announced address, which may be another machine on the user's own
 * network), its forward is made meanwhile, and ioredis' next slot refresh
 * maps it there. The caller holds a use of the tunnel (acquire / release)
 * while the map lives, and closes the map before releasing it.
 */
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { errorMessage } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { pipeSocket } from './sshTunnel';

export interface NatEndpoint {
  host: string;
  port: number;
}

/** What the forwards need of a tunnel: a stream to an address as the bastion sees it. */
export interface ChannelSource {
  channel(host: string, port: number): Promise<Duplex>;
  readonly label: string;
}

export interface TunnelNatMapOptions {
  /** Listeners kept bound for nodes not seen yet (default 6: three primaries and three replicas). */
  spares?: number;
  logger?: Logger;
}

/** "host:port" (IPv6 hosts in brackets or not) as an endpoint; undefined when it is not one. */
export function parseNodeKey(key: string): NatEndpoint | undefined {
  const at = key.lastIndexOf(':');
  if (at <= 0) return undefined;
  const port = Number(key.slice(at + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: key.slice(0, at).replace(/^\[|\]$/g, ''), port };
}

function keyOf(e: NatEndpoint): string {
  return `${e.host}:${e.port}`;
}

/** Per-node forwards of one tunnel, and the ioredis `natMap` function over them. */
export class TunnelNatMap {
  private readonly forwards = new Map<string, NatEndpoint>();
  private readonly targets = new Map<net.Server, NatEndpoint>();
  private readonly ours = new Set<string>();
  private spares: net.Server[] = [];
  private refuser: NatEndpoint | undefined;
  private refuserServer: net.Server | undefined;
  private closed = false;
  private readonly logger: Logger;

  private constructor(
    private readonly tunnel: ChannelSource,
    private readonly spareCount: number,
    logger: Logger,
  ) {
    this.logger = logger;
  }

  /** Binds the seeds' forwards, the spares and the refusing listener. */
  static async open(tunnel: ChannelSource, seeds: NatEndpoint[], options: TunnelNatMapOptions = {}): Promise<TunnelNatMap> {
    const map = new TunnelNatMap(tunnel, options.spares ?? 6, options.logger ?? silentLogger);
    try {
      const refuser = await map.bind();
      map.refuserServer = refuser;
      map.refuser = local(refuser);
      for (const seed of seeds) await map.forward(seed);
      await map.fill();
    } catch (err) {
      map.close();
      throw err;
    }
    return map;
  }

  /** The ioredis `natMap`: an announced node's local forward (null for an address that is already one of ours). */
  readonly natMap = (key: string): NatEndpoint | null => {
    const known = this.forwards.get(key);
    if (known) return { ...known };
    if (this.ours.has(key)) return null;
    const node = parseNodeKey(key);
    if (!node || this.closed) return this.refuser ? { ...this.refuser } : null;
    const spare = this.spares.shift();
    if (spare) {
      const endpoint = this.assign(spare, node);
      void this.fill();
      return { ...endpoint };
    }
    this.logger.info(`SSH tunnel ${this.tunnel.label}: no spare forward for ${key} yet; making one`);
    void this.forward(node).catch(() => undefined);
    return this.refuser ? { ...this.refuser } : null;
  };

  /** The local forward of `node` (made when needed). */
  async forward(node: NatEndpoint): Promise<NatEndpoint> {
    const known = this.forwards.get(keyOf(node));
    if (known) return known;
    return this.assign(await this.bind(), node);
  }

  /** How many nodes have a forward. */
  get size(): number {
    return this.forwards.size;
  }

  /** Every announced node and its local forward. */
  entries(): [string, NatEndpoint][] {
    return [...this.forwards.entries()].map(([k, v]) => [k, { ...v }]);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const server of [...this.targets.keys(), ...this.spares, ...(this.refuserServer ? [this.refuserServer] : [])]) server.close();
    this.spares = [];
  }

  private assign(server: net.Server, node: NatEndpoint): NatEndpoint {
    const key = keyOf(node);
    const existing = this.forwards.get(key);
    if (existing) {
      this.spares.push(server);
      return existing;
    }
    const endpoint = local(server);
    this.targets.set(server, node);
    this.forwards.set(key, endpoint);
    return endpoint;
  }

  private async fill(): Promise<void> {
    while (!this.closed && this.spares.length < this.spareCount) this.spares.push(await this.bind());
  }

  /** A 127.0.0.1 listener whose connections go to the node assigned to it (none: closed at once). */
  private bind(): Promise<net.Server> {
    const server = net.createServer((socket) => this.pipe(server, socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        this.ours.add(keyOf(local(server)));
        if (this.closed) server.close();
        resolve(server);
      });
    });
  }

  private pipe(server: net.Server, socket: net.Socket): void {
    const node = this.targets.get(server);
    if (!node || this.closed) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    pipeSocket(socket, this.tunnel.channel(node.host, node.port), (err) =>
      this.logger.warn(`SSH tunnel ${this.tunnel.label}: forwarding to ${keyOf(node)} failed: ${errorMessage(err)}`),
    );
  }
}

function local(server: net.Server): NatEndpoint {
  const address = server.address() as net.AddressInfo;
  return { host: '127.0.0.1', port: address.port };
}
