/**
 * SSH tunnels through a bastion (and optional jump hosts before it), with
 * ssh2: one tunnel per SSH chain, shared by reference count by every
 * connection of the profiles that use it, closed when its last user lets go.
 * Each remote `host:port` gets a local 127.0.0.1 listener whose connections
 * are forwarded through the tunnel, so every protocol (ioredis, amqplib,
 * fetch, raw TCP) dials it like any address. Host keys are verified at every
 * hop: a pinned fingerprint, else ~/.ssh/known_hosts, else the caller's
 * `onUnknownHostKey` (the UI asks the user; with none the connection is
 * refused with a sentence that gives the fingerprint to pin). A changed key
 * is always refused before anything is sent. Keepalives are on; a lost
 * tunnel reconnects, with capped backoff, when a connection next needs it.
 * A connection still open through a forward keeps the tunnel up after its
 * last user let go (a subscription outlives the pool session that dialled
 * it when settings change); the tunnel closes when that connection does.
 */
import * as l10n from '@vscode/l10n';
import { readFile } from 'node:fs/promises';
import * as net from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { BrokerError, ConnectionError, InputError, errorMessage } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { describeSshError } from './sshErrors';
import { hostKeyFingerprint, verifyHostKey } from './sshHostKeys';

export interface SshHop {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  privateKeyPath?: string;
  /** Authenticate through the ssh-agent at $SSH_AUTH_SOCK. */
  agent?: boolean;
  /** Pinned SHA256 fingerprint, as OpenSSH prints it (`SHA256:…`). */
  hostKey?: string;
}

/** A profile's `ssh` field: the bastion, reached through `jumpHosts` in order. */
export interface SshConfig extends SshHop {
  jumpHosts?: SshHop[];
}

/** The bastion's secrets (jump hosts use keys or the agent). */
export interface SshSecrets {
  password?: string;
  passphrase?: string;
}

export interface SshTunnelOptions {
  /** Bound on each hop's whole handshake (TCP, key exchange, auth). */
  timeoutMs: number;
  secrets: () => Promise<SshSecrets>;
  /** Asked when a hop has no pin and no known_hosts entry; true accepts (and the caller pins it). */
  onUnknownHostKey?: (hop: SshHop, fingerprint: string) => Promise<boolean>;
  /** known_hosts file (default ~/.ssh/known_hosts). */
  knownHostsPath?: string;
  /** Told each hop's progress (Test Connection times the steps from it). */
  observer?: (event: SshEvent) => void;
}

/** A hop's progress: connected (TCP, or the stream through the previous hop), host key trusted, logged in. */
export interface SshEvent {
  kind: 'connected' | 'hostKey' | 'authenticated';
  hop: SshHop;
  detail: string;
}

/** `user@host:port` of a hop. */
export function hopLabel(hop: SshHop): string {
  return `${hop.username}@${hop.host}:${hop.port ?? 22}`;
}

/** The chain in order: jump hosts, then the bastion. */
export function sshChain(config: SshConfig): SshHop[] {
  const { jumpHosts, ...bastion } = config;
  return [...(jumpHosts ?? []), bastion];
}

/** The identity of a chain: each hop's user@host:port, in order. */
export function sshChainKey(config: SshConfig): string {
  return sshChain(config).map(hopLabel).join(' > ');
}

/**
 * What tunnels are shared by: the chain and each hop's pin, so a profile
 * that pins nothing never rides on a tunnel another profile's pin let in.
 */
function tunnelKey(config: SshConfig): string {
  return sshChain(config)
    .map((h) => `${hopLabel(h)}#${h.hostKey ?? ''}`)
    .join(' > ');
}

const MAX_BACKOFF_MS = 5_000;
const KEEPALIVE_MS = 10_000;

/** One live or reconnecting SSH chain with its local forwards. */
export class SshTunnel {
  private users = 0;
  /** Connections open through the forwards now. */
  private piped = 0;
  private clients: Client[] = [];
  private connecting: Promise<Client> | undefined;
  private nextAttemptAt = 0;
  private backoffMs = 0;
  private lastError: BrokerError | undefined;
  private readonly forwards = new Map<string, Promise<net.Server>>();
  private closed = false;

  constructor(
    readonly config: SshConfig,
    private readonly options: SshTunnelOptions,
    private readonly logger: Logger,
    private readonly onClosed: () => void,
  ) {}

  get label(): string {
    return sshChainKey(this.config);
  }

  /** Connects (when not connected) and resolves once the last hop is ready; rejects with one sentence. */
  async ready(): Promise<void> {
    await this.client();
  }

  /** A local 127.0.0.1 endpoint whose connections reach `host:port` from the bastion. */
  async forward(host: string, port: number): Promise<{ host: string; port: number }> {
    const key = `${host}:${port}`;
    let server = this.forwards.get(key);
    if (!server) {
      server = this.listen(host, port);
      this.forwards.set(key, server);
      server.catch(() => this.forwards.delete(key));
    }
    const address = (await server).address() as net.AddressInfo;
    return { host: '127.0.0.1', port: address.port };
  }

  /** A stream to `host:port` through the tunnel (for a caller that takes a socket). */
  async channel(host: string, port: number): Promise<Duplex> {
    const client = await this.client();
    return forwardOut(client, host, port, this.label);
  }

  acquire(): void {
    this.users++;
  }

  /** Lets go of one use; the last closes the tunnel and its forwards once no connection is open through them. */
  release(): void {
    this.users--;
    this.closeWhenUnused();
  }

  /** Users, and connections open through the forwards (for tests and the log). */
  get usage(): { users: number; connections: number } {
    return { users: this.users, connections: this.piped };
  }

  private closeWhenUnused(): void {
    if (this.users <= 0 && this.piped <= 0) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const server of this.forwards.values())
      server.then(
        (s) => s.close(),
        () => undefined,
      );
    this.forwards.clear();
    for (const c of this.clients.splice(0)) c.end();
    this.onClosed();
  }

  private listen(host: string, port: number): Promise<net.Server> {
    const server = net.createServer((socket) => {
      socket.setNoDelay(true);
      this.piped++;
      socket.once('close', () => {
        this.piped--;
        this.closeWhenUnused();
      });
      pipeSocket(socket, this.channel(host, port), (err) =>
        this.logger.warn(`SSH tunnel ${this.label}: forwarding to ${host}:${port} failed: ${errorMessage(err)}`),
      );
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
  }

  /** The last hop's client: the live one, the one connecting, or a new attempt (rate-limited after a failure). */
  private client(): Promise<Client> {
    if (this.closed) return Promise.reject(new ConnectionError(l10n.t('The SSH tunnel {0} is closed.', this.label)));
    const live = this.clients.at(-1);
    if (live && this.clients.length === sshChain(this.config).length) return Promise.resolve(live);
    if (this.connecting) return this.connecting;
    if (Date.now() < this.nextAttemptAt && this.lastError) return Promise.reject(this.lastError);
    const attempt = this.connectChain().then(
      (client) => {
        this.backoffMs = 0;
        this.lastError = undefined;
        return client;
      },
      (err: unknown) => {
        const failure =
          err instanceof BrokerError ? err : new ConnectionError(l10n.t('SSH tunnel {0} failed: {1}.', this.label, errorMessage(err)));
        this.backoffMs = Math.min(this.backoffMs === 0 ? 200 : this.backoffMs * 2, MAX_BACKOFF_MS);
        this.nextAttemptAt = Date.now() + this.backoffMs;
        this.lastError = failure;
        throw failure;
      },
    );
    this.connecting = attempt.finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connectChain(): Promise<Client> {
    const hops = sshChain(this.config);
    const secrets = await this.options.secrets();
    const clients: Client[] = [];
    try {
      for (const [i, hop] of hops.entries()) {
        const last = i === hops.length - 1;
        const sock = i === 0 ? undefined : await forwardOut(clients[i - 1], hop.host, hop.port ?? 22, hopLabel(hops[i - 1]));
        clients.push(await this.connectHop(hop, last ? secrets : {}, sock));
      }
    } catch (err) {
      for (const c of clients) c.end();
      throw err;
    }
    for (const c of clients) {
      c.on('close', () => this.lost(c));
    }
    this.clients = clients;
    this.logger.info(`SSH tunnel ${this.label}: connected`);
    return clients[clients.length - 1];
  }

  private lost(client: Client): void {
    if (!this.clients.includes(client)) return;
    for (const c of this.clients.splice(0)) if (c !== client) c.end();
    if (!this.closed) this.logger.warn(`SSH tunnel ${this.label}: connection lost; it reconnects when next used`);
  }

  private async connectHop(hop: SshHop, secrets: SshSecrets, sock: Duplex | undefined): Promise<Client> {
    const where = hopLabel(hop);
    const config: ConnectConfig = {
      host: hop.host,
      port: hop.port ?? 22,
      username: hop.username,
      readyTimeout: this.options.timeoutMs,
      keepaliveInterval: KEEPALIVE_MS,
      keepaliveCountMax: 3,
    };
    if (sock) config.sock = sock;
    if (hop.privateKeyPath) {
      try {
        config.privateKey = await readFile(hop.privateKeyPath);
      } catch (err) {
        throw new InputError(
          l10n.t(
            'The SSH key "{0}" for {1} cannot be read ({2}); check the profile\'s privateKeyPath.',
            hop.privateKeyPath,
            where,
            errorMessage(err),
          ),
        );
      }
    }
    if (secrets.passphrase !== undefined) config.passphrase = secrets.passphrase;
    if (secrets.password !== undefined) config.password = secrets.password;
    if (hop.agent) {
      const agentSocket = process.env.SSH_AUTH_SOCK;
      if (!agentSocket)
        throw new InputError(
          l10n.t('{0} is set to use the SSH agent, but SSH_AUTH_SOCK is not set: start an agent (ssh-agent) or use a key file.', where),
        );
      config.agent = agentSocket;
    }
    let refusal: BrokerError | undefined;
    const observe = (kind: SshEvent['kind'], detail: string): void => this.options.observer?.({ kind, hop, detail });
    config.hostVerifier = (key: Buffer, verify: (valid: boolean) => void): void => {
      this.verifyHostKey(hop, key).then(
        (problem) => {
          refusal = problem;
          if (!problem) observe('hostKey', l10n.t('{0} trusted', hostKeyFingerprint(key)));
          verify(problem === undefined);
        },
        (err: unknown) => {
          refusal = new ConnectionError(l10n.t('Checking the host key of {0} failed: {1}.', where, errorMessage(err)));
          verify(false);
        },
      );
    };
    const client = new Client();
    return new Promise<Client>((resolve, reject) => {
      const fail = (err: unknown): void => {
        client.end();
        reject(refusal ?? describeSshError(err, where, this.options.timeoutMs));
      };
      client.once('connect', () =>
        observe('connected', sock ? l10n.t('reached {0} through the previous hop', where) : l10n.t('connected to {0}', where)),
      );
      client.once('ready', () => {
        observe('authenticated', l10n.t('logged in as {0}', hop.username));
        client.removeListener('error', fail);
        client.on('error', (err: unknown) => this.logger.warn(`SSH ${where}: ${errorMessage(err)}`));
        resolve(client);
      });
      client.once('error', fail);
      try {
        client.connect(config);
      } catch (err) {
        fail(err);
      }
    });
  }

  /** undefined when the key is trusted, else the refusal. */
  private verifyHostKey(hop: SshHop, key: Buffer): Promise<BrokerError | undefined> {
    const { onUnknownHostKey } = this.options;
    return verifyHostKey({
      where: hopLabel(hop),
      host: hop.host,
      port: hop.port ?? 22,
      key,
      ...(hop.hostKey ? { pinned: hop.hostKey } : {}),
      knownHostsPath: this.options.knownHostsPath ?? join(homedir(), '.ssh', 'known_hosts'),
      ...(onUnknownHostKey ? { ask: (fingerprint: string) => onUnknownHostKey(hop, fingerprint) } : {}),
    });
  }
}

/** Joins a local socket to its stream through the tunnel, each closing the other; a stream that cannot open resets the socket. */
export function pipeSocket(socket: net.Socket, channel: Promise<Duplex>, onFailed: (err: unknown) => void): void {
  channel.then(
    (ch) => {
      socket.pipe(ch).pipe(socket);
      const end = (): void => {
        socket.destroy();
        ch.destroy();
      };
      ch.on('close', end).on('error', end);
      socket.on('close', end).on('error', end);
    },
    (err: unknown) => {
      onFailed(err);
      // A reset, not a clean close: the client sees the connection fail rather than the peer hang up politely.
      socket.resetAndDestroy();
    },
  );
}

function forwardOut(client: Client, host: string, port: number, via: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
      if (err)
        reject(
          new ConnectionError(
            l10n.t(
              'The SSH server {0} could not open a connection to {1}:{2}: {3}. Check that it can reach that address and allows TCP forwarding.',
              via,
              host,
              port,
              errorMessage(err),
            ),
          ),
        );
      else resolve(stream);
    });
  });
}

/** Every tunnel of the extension, by chain identity, shared by reference count. */
export class SshTunnels {
  private readonly tunnels = new Map<string, SshTunnel>();

  constructor(private readonly logger: Logger = silentLogger) {}

  /** The tunnel of `config` (made when needed), with one more user; `release()` it when done. */
  acquire(config: SshConfig, options: SshTunnelOptions): SshTunnel {
    const key = tunnelKey(config);
    let tunnel = this.tunnels.get(key);
    if (!tunnel) {
      const made: SshTunnel = new SshTunnel(config, options, this.logger, () => {
        if (this.tunnels.get(key) === made) this.tunnels.delete(key);
      });
      tunnel = made;
      this.tunnels.set(key, tunnel);
    }
    tunnel.acquire();
    return tunnel;
  }

  /** How many tunnels are open (for tests and the log). */
  get size(): number {
    return this.tunnels.size;
  }

  dispose(): void {
    for (const t of [...this.tunnels.values()]) t.close();
  }
}
