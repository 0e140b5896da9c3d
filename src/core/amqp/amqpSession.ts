/**
 * AMQP sessions: one shared connection per (profile, vhost), a fresh channel
 * per operation (amqplib closes a channel on any 404 / 406, and crashes the
 * process on an `error` nobody listens to), typed errors with sentences, and
 * dedicated connections for tails and consumers.
 */
import * as l10n from '@vscode/l10n';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { BrokerError, errorMessage } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { ProfilePool } from '../profilePool';
import type { ResolvedRabbitProfile } from '../profiles';
import { directReach, reachProfile, type Reach } from '../net/reach';
import { assertWritable } from '../readOnly';
import { closeQuietly } from './amqpConnection';
import { amqpNodes, connectAnyNode, type ConnectNodeOptions, type NodeConnection } from './amqpNodes';
import { amqpReplyCode, cancelledError, describeAmqpError, type AmqpErrorContext } from './amqpErrors';
import { ManagementClient } from './managementClient';

export interface AmqpSessionOptions {
  password?: string;
  /** The vhost; the profile's own when absent. */
  vhost?: string;
  logger?: Logger;
}

export interface ChannelOptions {
  signal?: AbortSignal;
  /** A confirm channel (publisher confirms). */
  confirm?: boolean;
}

/** A channel with its listeners attached; `serverError` holds the broker's reason once it closed it. */
export interface OpenChannel<C extends Channel = Channel> {
  channel: C;
  readonly closed: boolean;
  readonly serverError: unknown;
  /** Resolves when the channel closes, for whatever reason. */
  readonly whenClosed: Promise<void>;
  close(): Promise<void>;
}

/** Attaches `error` and `close` listeners to a new channel. */
export function watchChannel<C extends Channel>(
  channel: C,
  onError?: (err: unknown) => void,
  connection?: Pick<ChannelModel, 'on' | 'off'>,
): OpenChannel<C> {
  let closed = false;
  let serverError: unknown;
  // A connection-level refusal (503 COMMAND_INVALID, …) closes the whole connection: keep its reason too.
  let connectionError: unknown;
  const onConnectionError = (err: unknown): void => {
    connectionError ??= err;
  };
  connection?.on('error', onConnectionError);
  let markClosed: () => void = () => undefined;
  const whenClosed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  channel.on('error', (err: unknown) => {
    serverError = err;
    onError?.(err);
  });
  channel.on('close', () => {
    closed = true;
    connection?.off('error', onConnectionError);
    markClosed();
  });
  return {
    channel,
    get closed(): boolean {
      return closed;
    },
    get serverError(): unknown {
      return serverError ?? connectionError;
    },
    whenClosed,
    async close(): Promise<void> {
      if (closed) return;
      try {
        await channel.close();
      } catch {
        // closed meanwhile
      }
    },
  };
}

/** Prefers the error that carries the broker's reply code (the channel's `error` event) over a bare "channel closed". */
export function detailedError(thrown: unknown, serverError: unknown): unknown {
  if (thrown instanceof BrokerError) return thrown;
  if (amqpReplyCode(thrown) !== undefined) return thrown;
  return serverError ?? thrown;
}

export class AmqpSession {
  readonly vhost: string;
  readonly logger: Logger;
  private readonly password: string | undefined;
  private shared: Promise<ChannelModel> | undefined;
  /** The node the shared connection is on, while it is open. */
  private sharedNode: string | undefined;
  /** Where the next connection starts looking: the node after the one last lost (round robin). */
  private nextStart = 0;
  private managementClient: ManagementClient | undefined;
  private closedForGood = false;
  private readonly closeHooks = new Set<() => Promise<void>>();

  constructor(
    readonly profile: ResolvedRabbitProfile,
    options: AmqpSessionOptions = {},
  ) {
    this.vhost = options.vhost ?? profile.vhost;
    this.password = options.password;
    this.logger = options.logger ?? silentLogger;
  }

  /** Context for error sentences: `what` is a gerund phrase such as `purging queue "a"`. */
  context(what: string): AmqpErrorContext {
    return { profile: this.profile, vhost: this.vhost, what, secrets: this.password ? [this.password] : [] };
  }

  describe(what: string, err: unknown): BrokerError {
    return describeAmqpError(this.context(what), err);
  }

  /** Throws the read-only refusal before anything is sent when the profile is read-only. */
  assertWritable(action: string): void {
    assertWritable(this.profile, action);
  }

  /** The shared connection, opened on first use and reopened after it was lost. */
  async connection(signal?: AbortSignal): Promise<ChannelModel> {
    if (this.closedForGood) throw this.describe(l10n.t('using the connection'), new Error('Connection closed: the session was closed'));
    if (!this.shared) {
      const opening = this.open('broker-explorer', { signal, startAt: this.nextStart });
      const shared = opening.then(({ model }) => model);
      this.shared = shared;
      opening.then(
        ({ model, node }) => {
          this.sharedNode = node.address;
          model.on('close', () => {
            if (this.shared !== shared) return;
            this.shared = undefined;
            this.sharedNode = undefined;
            // Lost: the next connection starts with the node after this one.
            this.nextStart = node.index + 1;
          });
        },
        () => {
          if (this.shared === shared) this.shared = undefined;
        },
      );
    }
    return this.shared;
  }

  /** `host:port` of the node the shared connection is on, while it is open. */
  get connectedNode(): string | undefined {
    return this.sharedNode;
  }

  /** How many nodes connections may go to (the profile's URLs; only the first behind SSH). */
  get nodeCount(): number {
    return amqpNodes(this.profile).length;
  }

  /** A new connection the caller owns and must close (peeks). */
  async openConnection(purpose: string, signal?: AbortSignal): Promise<ChannelModel> {
    return (await this.openNodeConnection(purpose, signal ? { signal } : {})).model;
  }

  /**
   * A new connection the caller owns and must close (tails, consumers), with
   * the node it reached; `startAt` (an index into the profile's URLs) is
   * tried first, then the others round robin (default: where the session
   * would connect next).
   */
  openNodeConnection(purpose: string, options: { signal?: AbortSignal; startAt?: number } = {}): Promise<NodeConnection> {
    return this.open(`broker-explorer ${purpose}`, { startAt: this.nextStart, ...options });
  }

  private open(connectionName: string, how: { signal?: AbortSignal | undefined; startAt?: number }): Promise<NodeConnection> {
    const options: ConnectNodeOptions = { vhost: this.vhost, connectionName, logger: this.logger };
    if (this.password !== undefined) options.password = this.password;
    if (how.signal) options.signal = how.signal;
    if (how.startAt !== undefined) options.startAt = how.startAt;
    return connectAnyNode(this.profile, options);
  }

  /** A new channel on `model` (or the shared connection) with listeners attached; the caller closes it. */
  async openChannel(what: string, options: ChannelOptions & { confirm: true; model?: ChannelModel }): Promise<OpenChannel<ConfirmChannel>>;
  async openChannel(what: string, options?: ChannelOptions & { model?: ChannelModel }): Promise<OpenChannel>;
  async openChannel(what: string, options: ChannelOptions & { model?: ChannelModel } = {}): Promise<OpenChannel> {
    const ctx = this.context(what);
    if (options.signal?.aborted) throw cancelledError(ctx);
    const model = options.model ?? (await this.connection(options.signal));
    try {
      const channel = options.confirm ? await model.createConfirmChannel() : await model.createChannel();
      return watchChannel(
        channel,
        (err) =>
          this.logger.debug(
            `AMQP "${this.profile.name}" vhost "${this.vhost}": channel closed by the broker while ${what}: ${errorMessage(this.describe(what, err))}`,
          ),
        model,
      );
    } catch (err) {
      throw describeAmqpError(ctx, err);
    }
  }

  /**
   * Runs `fn` on a fresh channel of the shared connection and closes the
   * channel afterwards. Errors come out typed; a channel the broker closed
   * leaves the connection usable for the next operation.
   */
  async withChannel<T>(what: string, fn: (channel: Channel) => Promise<T>, options?: ChannelOptions & { confirm?: false }): Promise<T>;
  async withChannel<T>(what: string, fn: (channel: ConfirmChannel) => Promise<T>, options: ChannelOptions & { confirm: true }): Promise<T>;
  async withChannel<T>(what: string, fn: (channel: ConfirmChannel) => Promise<T>, options: ChannelOptions = {}): Promise<T> {
    const ctx = this.context(what);
    const open = (await this.openChannel(what, options)) as OpenChannel<ConfirmChannel>;
    const onAbort = (): void => void open.close();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await fn(open.channel);
    } catch (err) {
      if (options.signal?.aborted) throw cancelledError(ctx);
      throw describeAmqpError(ctx, detailedError(err, open.serverError));
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      await open.close();
    }
  }

  /** A management API client for the same profile and password. */
  management(): ManagementClient {
    this.managementClient ??= new ManagementClient(this.profile, this.password, this.logger);
    return this.managementClient;
  }

  /** Runs `hook` when the session closes, before its connection (for channels kept open, such as RPC's); returns its removal. */
  onClose(hook: () => Promise<void>): () => void {
    this.closeHooks.add(hook);
    return () => void this.closeHooks.delete(hook);
  }

  /** Closes the shared connection; the session can not be used afterwards. */
  async close(): Promise<void> {
    this.closedForGood = true;
    const shared = this.shared;
    this.shared = undefined;
    this.managementClient?.dispose();
    const hooks = [...this.closeHooks];
    this.closeHooks.clear();
    await Promise.all(hooks.map((hook) => hook().catch(() => undefined)));
    if (shared) await closeQuietly(await shared.catch(() => undefined));
  }
}

// ---------------------------------------------------------------- pool

/** Where the pool gets profiles and passwords (the ui backs it with settings and SecretStorage). */
export interface RabbitProfileSource {
  profile(name: string): ResolvedRabbitProfile;
  password(profile: ResolvedRabbitProfile): Promise<string | undefined>;
}

/** Sessions per (profile, vhost) from the one pool (ProfilePool), closed on `invalidate` and `dispose`. */
export class AmqpPool {
  private readonly sessions: ProfilePool<ResolvedRabbitProfile, AmqpSession>;
  /** What each session holds of an SSH tunnel, let go when the session closes. */
  private readonly releases = new WeakMap<AmqpSession, () => void>();

  /** `reach`: how a profile's connections get to it (directly, or through its SSH tunnel). */
  constructor(
    private readonly source: RabbitProfileSource,
    private readonly logger: Logger = silentLogger,
    private readonly reach: Reach<ResolvedRabbitProfile> = directReach,
  ) {
    this.sessions = new ProfilePool(
      async (profile, vhost) => {
        const password = await this.source.password(profile);
        const options: AmqpSessionOptions = { vhost, logger: this.logger };
        if (password !== undefined) options.password = password;
        const reached = await reachProfile(this.reach, profile);
        const session = new AmqpSession(reached.profile, options);
        this.releases.set(session, reached.release);
        return session;
      },
      async (session) => {
        try {
          await session.close();
        } finally {
          this.releases.get(session)?.();
        }
      },
    );
  }

  /** The session of (profile, vhost); the profile's vhost when none is given. */
  session(profileName: string, vhost?: string): Promise<AmqpSession> {
    const profile = this.source.profile(profileName);
    return this.sessions.acquire(profile, vhost ?? profile.vhost);
  }

  /** Closes the sessions of one profile (after its settings or password changed), or of all. */
  invalidate(profileName?: string): void {
    this.sessions.invalidate(profileName);
  }

  dispose(): Promise<void> {
    return this.sessions.dispose();
  }
}
