/**
 * A channel on a connection of its own that comes back after the
 * connection is lost: reconnect with capped exponential backoff (with
 * jitter), run the setup again (declare, bind, consume), report lost and
 * resumed. Errors that retrying cannot fix (the exchange or queue is gone,
 * the login is refused) end it instead.
 *
 * Written here rather than with amqplib's opt-in recovery because a tail
 * must re-declare a new server-named queue, re-bind it and say when it
 * dropped and resumed; the loop is short and its behaviour is ours to test.
 */
import * as l10n from '@vscode/l10n';
import type { Channel, ChannelModel } from 'amqplib';
import { AuthError, BrokerError, InputError, NotFoundError, PreconditionError, errorMessage } from '../errors';
import { closeQuietly } from './amqpConnection';
import { amqpReplyText } from './amqpErrors';
import { detailedError, watchChannel, type AmqpSession, type OpenChannel } from './amqpSession';

export interface RecoveryOptions {
  /** First pause before reconnecting (default 200 ms). */
  initialDelayMs?: number;
  /** Longest pause between attempts (default 5 s). */
  maxDelayMs?: number;
}

export interface RecoveryHooks {
  /** Declares, binds and consumes on a new channel; called on start and on every resume. `node`: `host:port` it is on. */
  setup(channel: Channel, model: ChannelModel, generation: number, node: string): Promise<void>;
  lost(reason: string): void;
  /** `node`: `host:port` of the node it resumed on (another one than before on a cluster when that node is gone). */
  resumed(info: { attempts: number; downtimeMs: number; node: string }): void;
  ended(error?: BrokerError): void;
}

export const DEFAULT_INITIAL_DELAY_MS = 200;
export const DEFAULT_MAX_DELAY_MS = 5_000;

/** Errors after which reconnecting cannot help. */
export function isFatal(err: unknown): boolean {
  return err instanceof NotFoundError || err instanceof AuthError || err instanceof PreconditionError || err instanceof InputError;
}

export class RecoveringChannel {
  private model: ChannelModel | undefined;
  private open: OpenChannel | undefined;
  private gen = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private lostAt = 0;
  /** The node of the current connection (index into the profile's URLs, and `host:port`). */
  private node: { index: number; address: string } | undefined;
  /** Where reconnecting starts: the node after the lost one, so a stopped node is tried last. */
  private resumeFrom: number | undefined;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly session: AmqpSession,
    private readonly purpose: string,
    private readonly what: string,
    private readonly hooks: RecoveryHooks,
    options: RecoveryOptions = {},
  ) {
    this.initialDelayMs = options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  }

  /** The channel of the current generation, when connected. */
  get channel(): Channel | undefined {
    return this.open && !this.open.closed ? this.open.channel : undefined;
  }

  /** `host:port` of the node the channel is on, once started. */
  get nodeAddress(): string | undefined {
    return this.node?.address;
  }

  get generation(): number {
    return this.gen;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Connects and runs the setup once; rejects (leaving nothing open) if that fails. */
  async start(signal?: AbortSignal): Promise<void> {
    await this.connect(signal);
  }

  /**
   * Starts on behalf of an owner (a tail, a consumer): a failed start ends
   * the owner, and once started the signal stops it.
   */
  async startFor(owner: { stop(): Promise<void>; end(): void }, signal?: AbortSignal): Promise<void> {
    try {
      await this.start(signal);
    } catch (err) {
      owner.end();
      throw err;
    }
    if (!signal) return;
    if (signal.aborted) void owner.stop();
    else signal.addEventListener('abort', () => void owner.stop(), { once: true });
  }

  /** Treat the current connection as lost (a consumer cancelled by the broker, say) and recover. */
  lose(reason: string, generation = this.gen): void {
    // Only an established generation can be lost; a failure during setup is the setup's own error.
    if (this.stopped || generation !== this.gen || this.timer || !this.model) return;
    const model = this.model;
    this.model = undefined;
    this.open = undefined;
    void closeQuietly(model);
    if (this.node) this.resumeFrom = this.node.index + 1;
    this.lostAt = Date.now();
    this.attempts = 0;
    this.hooks.lost(reason);
    this.schedule();
  }

  /** Stops for good: closes the channel and the connection. */
  async stop(error?: BrokerError): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const model = this.model;
    const open = this.open;
    this.model = undefined;
    this.open = undefined;
    if (open) await open.close();
    await closeQuietly(model);
    this.hooks.ended(error);
  }

  private async connect(signal?: AbortSignal): Promise<void> {
    const how: { signal?: AbortSignal; startAt?: number } = {};
    if (signal) how.signal = signal;
    if (this.resumeFrom !== undefined) how.startAt = this.resumeFrom;
    const { model, node } = await this.session.openNodeConnection(this.purpose, how);
    const generation = ++this.gen;
    let open: OpenChannel | undefined;
    try {
      open = watchChannel(await model.createChannel());
      const thisOpen = open;
      let connectionError: unknown;
      model.on('error', (err: unknown) => {
        connectionError = err;
      });
      model.on('close', (err?: unknown) => this.lose(describeLoss(err ?? connectionError ?? thisOpen.serverError), generation));
      // A channel closes before its connection does: give the connection's reason a chance to arrive first.
      open.channel.on('close', () =>
        setImmediate(() => this.lose(describeLoss(connectionError ?? thisOpen.serverError, l10n.t('the channel was closed')), generation)),
      );
      await this.hooks.setup(open.channel, model, generation, node.address);
      if (this.stopped) throw new Error('Channel closed: stopped');
      this.model = model;
      this.open = open;
      this.node = { index: node.index, address: node.address };
    } catch (err) {
      this.gen++; // listeners of this attempt are stale now
      await closeQuietly(model);
      throw this.session.describe(this.what, detailedError(err, open?.serverError));
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.attempts++;
    const base = Math.min(this.initialDelayMs * 2 ** (this.attempts - 1), this.maxDelayMs);
    // On a cluster the first attempt goes to another node at once: the pause is for a server that restarts, not for its peers.
    const delay = this.attempts === 1 && this.session.nodeCount > 1 ? 0 : Math.round(base * (0.8 + Math.random() * 0.2));
    this.session.logger.info(`${this.what}: reconnect attempt ${this.attempts} in ${delay} ms`);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.retry();
    }, delay);
  }

  private async retry(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.connect();
      if (this.stopped) return;
      this.hooks.resumed({ attempts: this.attempts, downtimeMs: Date.now() - this.lostAt, node: this.node?.address ?? '' });
    } catch (err) {
      if (this.stopped) return;
      const error = err instanceof BrokerError ? err : this.session.describe(this.what, err);
      if (isFatal(error)) {
        await this.stop(error);
        return;
      }
      this.session.logger.info(`${this.what}: reconnect attempt ${this.attempts} failed: ${errorMessage(error)}`);
      this.schedule();
    }
  }
}

function describeLoss(source: unknown, fallback = l10n.t('the connection was closed')): string {
  if (source === undefined || source === null) return fallback;
  return amqpReplyText(source) ?? errorMessage(source);
}
