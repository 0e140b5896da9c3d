/**
 * Pub/sub: a Subscription owns a dedicated connection, subscribes to
 * channels and/or patterns, and delivers messages in order, in batches, to
 * a sink (so tens of thousands of messages per second never cost one UI
 * update each) and into a bounded ring buffer for `read`. When the
 * connection drops it emits `lost`; once reconnected it subscribes again
 * (with the exact channel bytes) and emits `resubscribed`.
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { toBuffer, type BytesLike } from '../bytes';
import { BrokerError, CancelledError, InputError, errorMessage, throwIfAborted } from '../errors';
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
  /** Receives every message, in order, in batches. */
  sink?: (batch: PubSubMessage[]) => void;
  /** Deliver a batch once it has this many messages (default 1000); otherwise on the next turn of the event loop. */
  maxBatch?: number;
}

export const DEFAULT_TAIL_BUFFER = 10_000;

interface Waiter {
  take: number;
  resolve: (messages: PubSubMessage[]) => void;
  timer: NodeJS.Timeout | undefined;
}

export interface SubscriptionEvents {
  /** The connection dropped; messages published meanwhile are not received. */
  lost: [reason: string];
  /** Reconnected and subscribed again to every channel and pattern. */
  resubscribed: [];
  /** The subscription ended on its own (the connection closed for good). */
  ended: [reason: string];
}

export class Subscription extends EventEmitter<SubscriptionEvents> {
  private client: Redis | undefined;
  private readonly channels: Buffer[];
  private readonly patterns: Buffer[];
  private readonly ring: (PubSubMessage | undefined)[];
  private ringStart = 0;
  private ringLength = 0;
  private pending: PubSubMessage[] = [];
  private flushScheduled = false;
  private batchTime = 0;
  private readonly maxBatch: number;
  private readonly waiters: Waiter[] = [];
  private lostConnection = false;
  private active = false;
  /** Messages received since start. */
  received = 0;
  /** Messages pushed out of the ring buffer unread. */
  dropped = 0;

  constructor(
    private readonly open: () => Promise<Redis>,
    private readonly options: SubscriptionOptions,
  ) {
    super();
    this.channels = (options.channels ?? []).map((c) => toBuffer(c, 'channel'));
    this.patterns = (options.patterns ?? []).map((p) => toBuffer(p, 'pattern'));
    if (this.channels.length + this.patterns.length === 0) throw new InputError('A subscription needs at least one channel or pattern.');
    const size = options.bufferSize ?? DEFAULT_TAIL_BUFFER;
    if (!Number.isInteger(size) || size < 1)
      throw new InputError(`The buffer size ${size} is not valid: give a whole number of at least 1.`);
    this.ring = new Array<PubSubMessage | undefined>(size);
    this.maxBatch = options.maxBatch ?? 1000;
  }

  get running(): boolean {
    return this.active;
  }

  /** Messages waiting in the ring buffer. */
  get buffered(): number {
    return this.ringLength;
  }

  /** Opens the connection and resolves once the server confirmed every subscription; abort cancels the start. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.client) throw new InputError('This subscription was already started.');
    throwIfAborted(signal);
    const client = await this.open();
    if (signal?.aborted) {
      client.disconnect();
      throw new CancelledError();
    }
    const onAbort = (): void => client.disconnect();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.client = client;
    // Our own resubscription keeps binary channel names exact.
    client.options.autoResubscribe = false;
    client.on('messageBuffer', (channel: Buffer, message: Buffer) => this.push({ channel, message, time: this.arrival() }));
    client.on('pmessageBuffer', (pattern: string | Buffer, channel: Buffer, message: Buffer) =>
      this.push({ channel, pattern: this.patternBytes(pattern), message, time: this.arrival() }),
    );
    client.on('close', () => {
      if (!this.active || this.lostConnection) return;
      this.lostConnection = true;
      this.flush();
      this.emit('lost', 'the connection to the server was lost');
    });
    client.on('ready', () => {
      if (!this.active || !this.lostConnection) return;
      this.subscribeAll(client).then(
        () => {
          this.lostConnection = false;
          this.emit('resubscribed');
        },
        (err: unknown) => this.emit('lost', `subscribing again failed: ${errorMessage(err)}`),
      );
    });
    client.on('end', () => {
      if (!this.active) return;
      this.active = false;
      this.flush();
      this.releaseWaiters();
      this.emit('ended', 'the connection closed and will not reconnect');
    });
    try {
      await this.subscribeAll(client);
      throwIfAborted(signal);
      this.active = true;
    } catch (err) {
      client.disconnect();
      this.client = undefined;
      if (signal?.aborted) throw new CancelledError();
      throw new BrokerError(`Subscribing failed: ${errorMessage(err).replace(/[.\s]+$/, '')}.`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Waits until `take` messages are buffered (or `timeoutMs` passed, or the
   * subscription stopped), then removes and returns up to `take` of them.
   */
  read(take: number = this.ring.length, timeoutMs = 0): Promise<PubSubMessage[]> {
    if (!Number.isInteger(take) || take < 1)
      return Promise.reject(new InputError(`Cannot read ${take} messages: give a whole number of at least 1.`));
    this.flush();
    if (this.ringLength >= take || timeoutMs <= 0 || !this.active) return Promise.resolve(this.takeFromRing(take));
    return new Promise<PubSubMessage[]>((resolve) => {
      const waiter: Waiter = { take, resolve, timer: undefined };
      waiter.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        this.flush();
        resolve(this.takeFromRing(take));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Unsubscribes and closes the connection; buffered messages stay readable. */
  async stop(): Promise<void> {
    const client = this.client;
    const wasActive = this.active;
    this.active = false;
    this.flush();
    this.releaseWaiters();
    if (!client) return;
    this.client = undefined;
    if (wasActive && client.status === 'ready') {
      await Promise.race([client.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
    client.disconnect();
  }

  private async subscribeAll(client: Redis): Promise<void> {
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
    const size = this.ring.length;
    const ring = this.ring;
    // Only the newest `size` of the batch can stay in the ring: the older ones are dropped at once.
    let i = 0;
    if (batch.length >= size) {
      i = batch.length - size;
      this.dropped += this.ringLength + i;
      this.ringStart = 0;
      this.ringLength = 0;
    }
    for (; i < batch.length; i++) {
      if (this.ringLength < size) {
        let at = this.ringStart + this.ringLength;
        if (at >= size) at -= size;
        ring[at] = batch[i];
        this.ringLength++;
      } else {
        ring[this.ringStart] = batch[i];
        if (++this.ringStart === size) this.ringStart = 0;
        this.dropped++;
      }
    }
    this.options.sink?.(batch);
    while (this.waiters.length > 0 && this.ringLength >= this.waiters[0].take) {
      const waiter = this.waiters.shift() as Waiter;
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.resolve(this.takeFromRing(waiter.take));
    }
  }

  private releaseWaiters(): void {
    for (const waiter of this.waiters.splice(0)) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.resolve(this.takeFromRing(waiter.take));
    }
  }

  private takeFromRing(take: number): PubSubMessage[] {
    const n = Math.min(take, this.ringLength);
    const out: PubSubMessage[] = new Array<PubSubMessage>(n);
    const size = this.ring.length;
    for (let i = 0; i < n; i++) {
      const idx = (this.ringStart + i) % size;
      out[i] = this.ring[idx] as PubSubMessage;
      this.ring[idx] = undefined;
    }
    this.ringStart = (this.ringStart + n) % size;
    this.ringLength -= n;
    return out;
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
