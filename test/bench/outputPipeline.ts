/**
 * The tail output pipeline as the extension runs it — message → one
 * formatted line → TailOutput (batched appends every 100 ms, trimmed past
 * tailMaxLines) — with only the output channel replaced by a counter.
 *
 * The line formats and the way messages are queued are the ui's own:
 * formatMessage of src/ui/redis/subscriptionTail.ts (queued lazily, a batch
 * at a time, as the subscription tail does) and appendMessage of
 * src/ui/commands/rabbitmq/format.ts (as the exchange tail and the queue
 * consumer do). `vscode` is mapped to fakeVscode.ts.
 */
import { channels, CountingChannel } from './fakeVscode';
import { TailOutput, timestamp } from '../../src/ui/tails/tailOutput';
import { displayBytes } from '../../src/core/bytes';
import type { PubSubMessage } from '../../src/core/redis/pubsub';
import type { AmqpMessage } from '../../src/core/amqp/messageProperties';
import { formatMessage } from '../../src/ui/redis/subscriptionTail';
import { appendMessage } from '../../src/ui/commands/rabbitmq/format';

export const TAIL_MAX_LINES = 5000; // brokerExplorer.tailMaxLines default

/** The stand-in line formats used before the ui had its own (kept for the LazyTailOutput prototype run). */
export function formatPubSub(m: PubSubMessage): string {
  const via = m.pattern ? ` (${displayBytes(m.pattern, 80)})` : '';
  return `${timestamp(m.time)} ${displayBytes(m.channel, 80)}${via} ${displayBytes(m.message)}`;
}

export function formatAmqp(m: AmqpMessage): string {
  const body = typeof m.body === 'string' ? displayBytes(Buffer.from(m.body, 'utf8')) : `0x${m.body.hex.slice(0, 400)}`;
  return `${timestamp()} ${m.exchange === '' ? '(default)' : m.exchange} ${m.routingKey}${m.redelivered ? ' (redelivered)' : ''} ${body}`;
}

export class Pipeline {
  readonly output: TailOutput;
  readonly channel: CountingChannel;
  lines = 0;

  constructor(name: string) {
    this.output = new TailOutput(name, TAIL_MAX_LINES);
    this.channel = channels[channels.length - 1];
  }

  /** A subscription's batch, as src/ui/redis/subscriptionTail.ts hands it over. */
  appendPubSub(batch: readonly PubSubMessage[]): void {
    this.lines += batch.length;
    this.output.appendAllLazy(batch, formatMessage);
  }

  /** An AMQP message, as the exchange tail and the queue consumer of src/ui/commands/rabbitmq/streams.ts hand it over. */
  appendAmqp(m: AmqpMessage): void {
    this.lines++;
    appendMessage(this.output, m);
  }

  /** Resolves once what is queued reached the channel (what the queue consumer's sink returns). */
  whenFlushed(): Promise<void> {
    return this.output.whenFlushed();
  }

  /** Pushes what is pending to the channel now (the 100 ms timer would). */
  flush(): void {
    this.output.flush();
  }

  /** The newest line the channel holds. */
  lastLine(): string {
    const text = this.channel.last.replace(/\n$/, '');
    return text.slice(text.lastIndexOf('\n') + 1);
  }

  dispose(): void {
    this.output.dispose();
  }
}

/**
 * A prototype of the change proposed for TailOutput (not the extension's
 * code): the same batching and trimming, but messages are queued as they
 * are — in a ring of `maxLines`, since older ones of the same batch would
 * be trimmed anyway — and formatted at flush time. Formatting then costs
 * at most maxLines per 100 ms, and memory at most maxLines messages,
 * however fast messages arrive.
 */
export class LazyTailOutput<T> {
  readonly channel: CountingChannel;
  private readonly ring: (T | undefined)[];
  private start = 0;
  private size = 0;
  /** Messages of the current batch pushed out of the ring (never formatted). */
  private skipped = 0;
  private timer: NodeJS.Timeout | undefined;
  private recent: string[] = [];
  private lines = 0;
  items = 0;

  constructor(
    name: string,
    private readonly maxLines: number,
    private readonly format: (item: T) => string,
  ) {
    this.channel = new CountingChannel(name);
    this.ring = new Array<T | undefined>(maxLines);
  }

  push(items: readonly T[]): void {
    this.items += items.length;
    const cap = this.ring.length;
    for (const item of items) {
      if (this.size < cap) {
        this.ring[(this.start + this.size) % cap] = item;
        this.size++;
      } else {
        this.ring[this.start] = item;
        this.start = (this.start + 1) % cap;
        this.skipped++;
      }
    }
    this.timer ??= setTimeout(() => this.flush(), 100);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.size === 0) return;
    const cap = this.ring.length;
    const lines = new Array<string>(this.size);
    for (let i = 0; i < this.size; i++) {
      const at = (this.start + i) % cap;
      lines[i] = this.format(this.ring[at] as T);
      this.ring[at] = undefined;
    }
    this.lines += this.size + this.skipped;
    this.start = 0;
    this.size = 0;
    this.skipped = 0;
    for (const line of lines) this.recent.push(line);
    const keep = Math.max(1, Math.floor(this.maxLines / 2));
    if (this.recent.length > this.maxLines) this.recent = this.recent.slice(-keep);
    if (this.lines > this.maxLines) {
      const trimmed = this.lines - this.recent.length;
      this.channel.replace(`… ${trimmed.toLocaleString('en-US')} older lines trimmed (brokerExplorer.tailMaxLines) …\n${this.recent.join('\n')}\n`);
      this.lines = this.recent.length;
    } else {
      this.channel.append(`${lines.join('\n')}\n`);
    }
  }

  lastLine(): string {
    const text = this.channel.last.replace(/\n$/, '');
    return text.slice(text.lastIndexOf('\n') + 1);
  }

  dispose(): void {
    this.flush();
  }
}
