/**
 * The one bounded buffer behind every tail: Redis pub/sub, AMQP exchange
 * tails and queue consumers.
 *
 * Two ways out, and only one of them can lose anything:
 * - the ring, for `tails.read` and iteration: at most `capacity` messages;
 *   when full the oldest goes, and is counted (`dropped`, and
 *   `droppedSinceRead` for the next read); `onFirstDrop` is called once,
 *   when it starts dropping;
 * - claims, for `take: n`: a claim takes what the ring holds and then every
 *   new message straight into its own array, before the ring, until it has
 *   `n` (or its wait ends). A claim never drops: the first `n` are kept
 *   whatever `n` and the capacity are.
 */
import * as l10n from '@vscode/l10n';
import { InputError } from './errors';

export const DEFAULT_TAIL_BUFFER_SIZE = 10_000;

export interface TailReadOptions {
  /** Wait until this many messages were taken (default: return what is buffered now). */
  take?: number;
  /** How long to wait for `take` (default: no limit). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What one read returns: the messages, and how many the ring dropped since the read before. */
export interface TailBatch<T> {
  messages: T[];
  dropped: number;
}

/** The next `take` messages, held apart from the ring (never dropped). */
export class TailClaim<T> {
  readonly items: T[] = [];
  private settled = false;
  private resolvers: ((items: T[]) => void)[] = [];

  constructor(
    readonly take: number,
    private readonly release: (claim: TailClaim<T>) => void,
  ) {}

  get full(): boolean {
    return this.items.length >= this.take;
  }

  /** Ended: full, timed out, aborted or the buffer closed. */
  get done(): boolean {
    return this.settled;
  }

  /** Resolves with the messages once `take` are there, the timeout passes, the signal aborts or the buffer closes. */
  wait(timeoutMs?: number, signal?: AbortSignal): Promise<T[]> {
    if (this.settled) return Promise.resolve(this.items);
    if (signal?.aborted || timeoutMs === 0) {
      this.finish();
      return Promise.resolve(this.items);
    }
    return new Promise<T[]>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const stop = (): void => this.finish();
      if (timeoutMs !== undefined) timer = setTimeout(stop, timeoutMs);
      signal?.addEventListener('abort', stop, { once: true });
      this.resolvers.push((items) => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', stop);
        resolve(items);
      });
    });
  }

  /** Takes one message; true when that made it full (it is then finished). */
  add(item: T): boolean {
    this.items.push(item);
    if (this.items.length < this.take) return false;
    this.finish();
    return true;
  }

  /** Takes messages from `items[from]` on until it is full; returns the index of the first one it did not take. */
  addFrom(items: readonly T[], from: number): number {
    const end = Math.min(items.length, from + this.take - this.items.length);
    const mine = this.items;
    for (let i = from; i < end; i++) mine.push(items[i]);
    if (mine.length >= this.take) this.finish();
    return end;
  }

  /** Ends the claim with what it has; later messages go to the ring. */
  finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.release(this);
    for (const resolve of this.resolvers.splice(0)) resolve(this.items);
  }
}

/** A FIFO ring that drops (and counts) its oldest message when full, with claims that never drop. */
export class TailBuffer<T> implements AsyncIterable<T> {
  private ring: (T | undefined)[] = [];
  private start = 0;
  private length = 0;
  private claims: TailClaim<T>[] = [];
  private droppedTotal = 0;
  private droppedUnread = 0;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly capacity: number = DEFAULT_TAIL_BUFFER_SIZE,
    private readonly onFirstDrop?: (capacity: number) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new InputError(l10n.t('The buffer size {0} is not valid: give a whole number of at least 1.', capacity));
  }

  /** Messages in the ring. */
  get size(): number {
    return this.length;
  }

  /** Messages the ring dropped since it was created. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Messages the ring dropped since the last read. */
  get droppedSinceRead(): number {
    return this.droppedUnread;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  push(item: T): void {
    if (this.closed) return;
    const claim = this.claims[0];
    if (claim) claim.add(item);
    else this.pushRing(item);
    this.wake();
  }

  pushAll(items: readonly T[]): void {
    if (this.closed || items.length === 0) return;
    let i = 0;
    for (let claim = this.claims[0]; claim && i < items.length; claim = this.claims[0]) i = claim.addFrom(items, i);
    if (items.length - i >= this.capacity) {
      // Only the newest `capacity` can stay: what the ring holds and the older ones of the batch are dropped at once.
      const drop = this.length + (items.length - i - this.capacity);
      this.ring = items.slice(items.length - this.capacity);
      this.start = 0;
      this.length = this.capacity;
      this.countDropped(drop);
    } else {
      // Room left: one at a time (growing the ring as needed); then full: overwrite the oldest, in a tight loop.
      for (; i < items.length && this.length < this.capacity; i++) this.pushRing(items[i]);
      if (i < items.length) this.overwrite(items, i);
    }
    this.wake();
  }

  /**
   * Claims the next `take` messages: what the ring holds (oldest first), then
   * every new one, ahead of the ring. Claims are served in the order made.
   */
  claim(take: number): TailClaim<T> {
    if (!Number.isInteger(take) || take < 1)
      throw new InputError(l10n.t('Cannot take {0} messages: give a whole number of at least 1.', take));
    const claim = new TailClaim<T>(take, (c) => {
      const at = this.claims.indexOf(c);
      if (at >= 0) this.claims.splice(at, 1);
    });
    this.claims.push(claim);
    if (this.claims.length === 1) for (const item of this.shift(take)) claim.add(item);
    if (this.closed) claim.finish();
    return claim;
  }

  /** Removes and returns up to `count` messages of the ring, oldest first. */
  shift(count: number = Number.MAX_SAFE_INTEGER): T[] {
    const n = Math.min(count, this.length);
    const out = new Array<T>(n);
    const size = this.ring.length;
    for (let i = 0; i < n; i++) {
      let at = this.start + i;
      if (at >= size) at -= size;
      out[i] = this.ring[at] as T;
      this.ring[at] = undefined;
    }
    this.length -= n;
    this.start = this.length === 0 ? 0 : (this.start + n) % size;
    return out;
  }

  /** A copy of what the ring holds, oldest first, leaving it there (a dashboard's history). */
  snapshot(): T[] {
    const out = new Array<T>(this.length);
    const size = this.ring.length;
    for (let i = 0; i < this.length; i++) {
      let at = this.start + i;
      if (at >= size) at -= size;
      out[i] = this.ring[at] as T;
    }
    return out;
  }

  /** Without `take`: what the ring holds now. With `take`: claims the next `take` and waits for them (see TailClaim.wait). */
  async read(options: TailReadOptions = {}): Promise<T[]> {
    return (await this.readBatch(options)).messages;
  }

  /** Like `read`, with the count of messages the ring dropped since the read before. */
  async readBatch(options: TailReadOptions = {}): Promise<TailBatch<T>> {
    const messages = options.take === undefined ? this.shift() : await this.claim(options.take).wait(options.timeoutMs, options.signal);
    const dropped = this.droppedUnread;
    this.droppedUnread = 0;
    return { messages, dropped };
  }

  /** No more messages will come: claims and waiting reads end with what they have. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const claim of [...this.claims]) claim.finish();
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.length === 0 && !this.closed) await new Promise<void>((resolve) => this.waiters.add(resolve));
      const batch = this.shift();
      if (batch.length === 0 && this.closed) return;
      for (const item of batch) yield item;
    }
  }

  private pushRing(item: T): void {
    if (this.length < this.capacity) {
      if (this.length === this.ring.length) this.grow();
      let at = this.start + this.length;
      if (at >= this.ring.length) at -= this.ring.length;
      this.ring[at] = item;
      this.length++;
      return;
    }
    this.ring[this.start] = item;
    if (++this.start === this.ring.length) this.start = 0;
    this.countDropped(1);
  }

  /** The ring is full: each of `items[from…]` replaces the oldest. */
  private overwrite(items: readonly T[], from: number): void {
    const ring = this.ring;
    const size = ring.length;
    let start = this.start;
    for (let i = from; i < items.length; i++) {
      ring[start] = items[i];
      if (++start === size) start = 0;
    }
    this.start = start;
    this.countDropped(items.length - from);
  }

  private countDropped(n: number): void {
    if (n <= 0) return;
    const first = this.droppedTotal === 0;
    this.droppedTotal += n;
    this.droppedUnread += n;
    if (first) this.onFirstDrop?.(this.capacity);
  }

  /** Grows the ring (doubling, up to the capacity) so a large capacity costs memory only when used. */
  private grow(): void {
    const next = Math.min(this.capacity, Math.max(16, this.ring.length * 2));
    const ring = new Array<T | undefined>(next);
    for (let i = 0; i < this.length; i++) ring[i] = this.ring[(this.start + i) % this.ring.length];
    this.ring = ring;
    this.start = 0;
  }

  private wake(): void {
    if (this.waiters.size === 0) return;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }
}
