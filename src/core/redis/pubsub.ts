/**
 * Pub/sub: a Subscription owns a dedicated connection, subscribes to
 * channels and/or patterns, and delivers messages in order, in batches, to
 * a sink (so tens of thousands of messages per second never cost one UI
 * update each) and into the tail buffer (src/core/tailBuffer.ts): `take`
 * claims the first messages (never dropped), the ring keeps the newest for
 * `read` and counts what it drops. When the
 * connection drops it emits `lost`; once reconnected it subscribes again
 * (with the exact channel bytes) and emits `resubscribed`.
 */
import * as l10n from '@vscode/l10n';
import { EventEmitter } from 'node:events';
import { connectedAddress, isCluster, type RedisClient } from './redisClient';
import { toBuffer, type BytesLike } from '../bytes';
import { BrokerError, CancelledError, InputError, errorMessage, throwIfAborted } from '../errors';
import { DEFAULT_TAIL_BUFFER_SIZE, TailBuffer, type TailBatch, type TailClaim } from '../tailBuffer';
import { bytesToJson } from './replyJson';
import type { RedisSession } from './session';
import type { JsonBytes } from './valueScanner';

export interface PubSubMessage {
  channel: Buffer;
  /** The pattern that matched, for a pattern subscription. */
  pattern?: Buffer;
  message: Buffer;
  /** Milliseconds since the epoch when it arrived. */
  time: number;
}

export interface SubscriptionOptions {
  channels?: readonly (BytesLike | Buffer)[];
  patterns?: readonly (BytesLike | Buffer)[];
  /** Messages kept for `read` (default 10,000); the oldest go first. */
  bufferSize?: number;
  /** The first this many messages are held for `takeFirst`, never dropped, whatever the buffer size. */
  take?: number;
  /** Receives every message, in order, in batches. */
  sink?: (batch: PubSubMessage[]) => void;
  /** Deliver a batch once it has this many messages (default 1000); otherwise on the next turn of the event loop. */
  maxBatch?: number;
}

export const DEFAULT_TAIL_BUFFER = DEFAULT_TAIL_BUFFER_SIZE;

export interface SubscriptionEvents {
  /** The connection dropped; messages published meanwhile are not received. */
  lost: [reason: string];
  /** Reconnected and subscribed again to every channel and pattern; `server` is where (host:port; a sentinel's new primary). */
  resubscribed: [server?: string];
  /** The subscription ended on its own (the connection closed for good). */
  ended: [reason: string];
  /** The ring buffer is full and starts dropping its oldest messages (said once). */
  dropping: [capacity: number];
}

export class Subscription extends EventEmitter<SubscriptionEvents> {
  private client: RedisClient | undefined;
  private readonly channels: Buffer[];
  private readonly patterns: Buffer[];
  private readonly buffer: TailBuffer<PubSubMessage>;
  private readonly first: TailClaim<PubSubMessage> | undefined;
  private pending: PubSubMessage[] = [];
  private flushScheduled = false;
  private batchTime = 0;
  private readonly maxBatch: number;
  private lostConnection = false;
  private active = false;
  /** Messages received since start. */
  received = 0;

  constructor(
    private readonly open: () => Promise<RedisClient>,
    private readonly options: SubscriptionOptions,
  ) {
    super();
    this.channels = (options.channels ?? []).map((c) => toBuffer(c, 'channel'));
    this.patterns = (options.patterns ?? []).map((p) => toBuffer(p, 'pattern'));
    if (this.channels.length + this.patterns.length === 0)
      throw new InputError(l10n.t('A subscription needs at least one channel or pattern.'));
    this.buffer = new TailBuffer<PubSubMessage>(options.bufferSize ?? DEFAULT_TAIL_BUFFER, (capacity) => this.emit('dropping', capacity));
    this.first = options.take === undefined ? undefined : this.buffer.claim(options.take);
    this.maxBatch = options.maxBatch ?? 1000;
  }

  get running(): boolean {
    return this.active;
  }

  /** Messages waiting in the ring buffer. */
  get buffered(): number {
    return this.buffer.size;
  }

  /** Messages pushed out of the ring buffer unread (the first `take` never are). */
  get dropped(): number {
    return this.buffer.dropped;
  }

  /** Opens the connection and resolves once the server confirmed every subscription; abort cancels the start. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.client) throw new InputError(l10n.t('This subscription was already started.'));
    throwIfAborted(signal);
    const client = await this.open();
    if (signal?.aborted) {
      client.disconnect();
      throw new CancelledError();
    }
    const onAbort = (): void => client.disconnect();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.client = client;
    // Our own resubscription keeps binary channel names exact (a cluster's subscriber node is re-chosen and resubscribed by ioredis).
    if (!isCluster(client)) client.options.autoResubscribe = false;
    client.on('messageBuffer', (channel: Buffer, message: Buffer) => this.push({ channel, message, time: this.arrival() }));
    client.on('pmessageBuffer', (pattern: string | Buffer, channel: Buffer, message: Buffer) =>
      this.push({ channel, pattern: this.patternBytes(pattern), message, time: this.arrival() }),
    );
    client.on('close', () => {
      if (!this.active || this.lostConnection) return;
      this.lostConnection = true;
      this.flush();
      this.emit('lost', l10n.t('the connection to the server was lost'));
    });
    client.on('ready', () => {
      if (!this.active || !this.lostConnection) return;
      this.subscribeAll(client).then(
        () => {
          this.lostConnection = false;
          this.emit('resubscribed', isCluster(client) ? undefined : connectedAddress(client));
        },
        (err: unknown) => this.emit('lost', l10n.t('subscribing again failed: {0}', errorMessage(err))),
      );
    });
    client.on('end', () => {
      if (!this.active) return;
      this.active = false;
      this.flush();
      this.buffer.close();
      this.emit('ended', l10n.t('the connection closed and will not reconnect'));
    });
    try {
      await this.subscribeAll(client);
      throwIfAborted(signal);
      this.active = true;
    } catch (err) {
      client.disconnect();
      this.client = undefined;
      if (signal?.aborted) throw new CancelledError();
      throw new BrokerError(l10n.t('Subscribing failed: {0}.', errorMessage(err).replace(/[.\s]+$/, '')));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Waits until `take` messages came (or `timeoutMs` passed, or the
   * subscription stopped), then returns them: what the ring holds first,
   * then new ones, none dropped while it waits.
   */
  async read(take: number = this.buffer.capacity, timeoutMs = 0): Promise<PubSubMessage[]> {
    return (await this.readBatch(take, timeoutMs)).messages;
  }

  /** Like `read`, with how many messages the ring dropped since the read before. */
  readBatch(take: number = this.buffer.capacity, timeoutMs = 0): Promise<TailBatch<PubSubMessage>> {
    if (!Number.isInteger(take) || take < 1)
      return Promise.reject(new InputError(l10n.t('Cannot read {0} messages: give a whole number of at least 1.', take)));
    this.flush();
    return this.buffer.readBatch({ take, timeoutMs: this.active ? timeoutMs : 0 });
  }

  /** The first `take` messages (the option): waits until they came, the timeout passed or the subscription stopped. */
  takeFirst(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<PubSubMessage[]> {
    if (!this.first) return Promise.reject(new InputError(l10n.t('This subscription was started without "take".')));
    this.flush();
    return this.first.wait(this.active ? options.timeoutMs : 0, options.signal);
  }

  /** Unsubscribes and closes the connection; buffered messages stay readable. */
  async stop(): Promise<void> {
    const client = this.client;
    const wasActive = this.active;
    this.active = false;
    this.flush();
    this.buffer.close();
    if (!client) return;
    this.client = undefined;
    if (wasActive && client.status === 'ready') {
      await Promise.race([client.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
    client.disconnect();
  }

  private async subscribeAll(client: RedisClient): Promise<void> {
    if (this.channels.length > 0) await client.subscribe(...this.channels);
    if (this.patterns.length > 0) await client.call('psubscribe', ...this.patterns);
  }

  private patternBytes(pattern: string | Buffer): Buffer {
    if (Buffer.isBuffer(pattern)) return pattern;
    return this.patterns.find((p) => p.toString() === pattern) ?? Buffer.from(pattern);
  }

  /** The arrival time: read once per batch (messages of one batch arrive within one turn of the event loop). */
  private arrival(): number {
    if (this.pending.length === 0) this.batchTime = Date.now();
    return this.batchTime;
  }

  private push(message: PubSubMessage): void {
    this.received++;
    this.pending.push(message);
    if (this.pending.length >= this.maxBatch) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.buffer.pushAll(batch);
    this.options.sink?.(batch);
  }
}

/** Publishes one message; resolves with how many subscribers received it. Refused on a read-only profile. */
export async function publish(session: RedisSession, channel: BytesLike | Buffer, message: BytesLike | Buffer): Promise<number> {
  const c = toBuffer(channel, 'channel');
  const m = toBuffer(message, 'message');
  session.assertWritable('PUBLISH');
  return Number(await (await session.client()).publish(c, m));
}

/** A message as JSON for the command API: bytes as strings or `{ hex }`. */
export function messageToJson(m: PubSubMessage): { channel: JsonBytes; pattern?: JsonBytes; message: JsonBytes; time: number } {
  const out: { channel: JsonBytes; pattern?: JsonBytes; message: JsonBytes; time: number } = {
    channel: bytesToJson(m.channel),
    message: bytesToJson(m.message),
    time: m.time,
  };
  if (m.pattern) out.pattern = bytesToJson(m.pattern);
  return out;
}
