/**
 * The bounded buffer behind a tail or a consumer (`tails.read`, async
 * iteration) and a tiny typed event emitter whose listener errors never
 * reach amqplib (a throwing listener would kill the channel).
 */
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { errorMessage } from '../errors';

export const DEFAULT_BUFFER_SIZE = 10_000;

export interface ReadOptions {
  /** Wait until this many items are buffered (default: return what is there now). */
  take?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A FIFO that drops its oldest item when full (and counts them), with waiting reads. */
export class MessageBuffer<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private head = 0;
  private droppedCount = 0;
  private closed = false;
  private waiters = new Set<() => void>();

  constructor(readonly capacity: number = DEFAULT_BUFFER_SIZE) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** How many items were dropped because the buffer was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    if (this.size > this.capacity) {
      this.head++;
      this.droppedCount++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.wake();
  }

  /** No more items will come; waiting reads return what there is. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Removes and returns up to `count` items. */
  shift(count: number = Number.MAX_SAFE_INTEGER): T[] {
    const out = this.items.slice(this.head, this.head + count);
    this.head += out.length;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return out;
  }

  /** Waits until `take` items are buffered, the timeout passes, the signal aborts or the buffer closes; then removes and returns up to `take`. */
  async read(options: ReadOptions = {}): Promise<T[]> {
    const take = options.take;
    if (take === undefined) return this.shift();
    await this.waitFor(() => this.size >= take, options.timeoutMs, options.signal);
    return this.shift(take);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private waitFor(done: () => boolean, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (done() || this.closed || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        this.waiters.delete(check);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const check = (): void => {
        if (done() || this.closed) finish();
      };
      this.waiters.add(check);
      if (timeoutMs !== undefined) timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      await this.waitFor(() => this.size > 0, undefined, undefined);
      const batch = this.shift();
      if (batch.length === 0 && this.closed) return;
      for (const item of batch) yield item;
    }
  }
}

type Listener<V> = (value: V) => void;

/** A minimal typed emitter; `on` returns the function that removes the listener. */
export class TypedEmitter<M> {
  private readonly listeners = new Map<keyof M, Set<Listener<never>>>();

  constructor(private readonly logger: Logger = silentLogger) {}

  on<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Resolves with the next value of `event`. */
  once<K extends keyof M>(event: K): Promise<M[K]> {
    return new Promise((resolve) => {
      const off = this.on(event, (v) => {
        off();
        resolve(v);
      });
    });
  }

  emit<K extends keyof M>(event: K, value: M[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<M[K]>)(value);
      } catch (err) {
        this.logger.error(`a listener of "${String(event)}" failed: ${errorMessage(err)}`);
      }
    }
  }
}
