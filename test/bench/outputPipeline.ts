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
import { channels, type CountingChannel } from './fakeVscode';
import { TailOutput } from '../../src/ui/tails/tailOutput';
import type { PubSubMessage } from '../../src/core/redis/pubsub';
import type { AmqpMessage } from '../../src/core/amqp/messageProperties';
import { formatMessage } from '../../src/ui/redis/subscriptionTail';
import { appendMessage } from '../../src/ui/commands/rabbitmq/format';

export const TAIL_MAX_LINES = 5000; // brokerExplorer.tailMaxLines default

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
