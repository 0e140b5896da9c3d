/**
 * Consuming a work queue on a connection of its own: prefetch (basic.qos,
 * default 10), messages handed to a sink one at a time, and the manual ack
 * (or requeue, or reject) sent only after the sink's promise resolved — so
 * a message is acknowledged only once it has been written out. `stop()`
 * cancels the consumer and closes the channel: every unacknowledged message
 * goes back to the queue. A lost connection is recovered like a tail's.
 */
import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import { BrokerError, InputError, errorMessage } from '../errors';
import { checkShortString, toAmqpTable } from './amqpTable';
import type { AmqpSession } from './amqpSession';
import { DEFAULT_BUFFER_SIZE, MessageBuffer, TypedEmitter, type ReadOptions } from './messageBuffer';
import { toAmqpMessage, type AmqpMessage } from './messageProperties';
import { RecoveringChannel, type RecoveryOptions } from './recoveringChannel';

/** ack: remove; requeue: nack and put back; reject: reject without requeue (dead-letter or drop). */
export type AckMode = 'ack' | 'requeue' | 'reject';

export interface ConsumeArgs {
  queue: string;
  /** Unacknowledged messages the broker may push at once (default 10). */
  prefetch?: number;
  /** Default "ack". */
  ack?: AckMode;
  /** Consumer arguments, such as `{ "x-stream-offset": "first" }` for a stream. */
  arguments?: Record<string, unknown>;
}

/** Writes a message out; the message is acknowledged once the promise resolves. */
export type MessageSink = (message: AmqpMessage) => void | Promise<void>;

export interface ConsumerOptions {
  signal?: AbortSignal;
  /** Called for every message before it is acknowledged; the buffer gets it afterwards. */
  sink?: MessageSink;
  bufferSize?: number;
  recovery?: RecoveryOptions;
}

export interface ConsumerEvents {
  /** After the sink resolved, before the ack. */
  message: AmqpMessage;
  bound: { queue: string; consumerTag: string };
  lost: { reason: string };
  resumed: { attempts: number; downtimeMs: number };
  ended: { error?: BrokerError };
}

export interface ConsumerStats {
  received: number;
  acked: number;
  requeued: number;
  rejected: number;
}

export const DEFAULT_PREFETCH = 10;

export class QueueConsumer extends TypedEmitter<ConsumerEvents> {
  readonly id = randomUUID();
  readonly stats: ConsumerStats = { received: 0, acked: 0, requeued: 0, rejected: 0 };
  private readonly buffer: MessageBuffer<AmqpMessage>;
  private recovering: RecoveringChannel | undefined;
  private consumerTag = '';
  private chain: Promise<void> = Promise.resolve();
  /** Channels that closed: their unacknowledged messages went back to the queue. */
  private readonly closedChannels = new WeakSet<Channel>();
  private stopping = false;
  private endedFlag = false;

  constructor(
    readonly session: AmqpSession,
    readonly queue: string,
    readonly prefetch: number,
    readonly ackMode: AckMode,
    private readonly consumeArguments: Record<string, unknown>,
    private readonly sink: MessageSink | undefined,
    bufferSize: number = DEFAULT_BUFFER_SIZE,
  ) {
    super(session.logger);
    this.buffer = new MessageBuffer<AmqpMessage>(bufferSize);
  }

  get running(): boolean {
    return !this.endedFlag;
  }

  /** Takes handled messages from the buffer (see MessageBuffer.read). */
  read(options: ReadOptions = {}): Promise<AmqpMessage[]> {
    return this.buffer.read(options);
  }

  [Symbol.asyncIterator](): AsyncIterator<AmqpMessage> {
    return this.buffer[Symbol.asyncIterator]();
  }

  /** Resolves once the consumer is registered. */
  async start(options: ConsumerOptions = {}): Promise<{ consumerTag: string }> {
    this.recovering = new RecoveringChannel(
      this.session,
      `consume ${this.queue} ${this.id.slice(0, 8)}`,
      `consuming queue "${this.queue}"`,
      {
        setup: async (ch, _model, generation) => {
          ch.once('close', () => this.closedChannels.add(ch));
          await ch.prefetch(this.prefetch);
          const ok = await ch.consume(this.queue, (msg) => this.onMessage(ch, msg, generation), { noAck: false, arguments: this.consumeArguments });
          this.consumerTag = ok.consumerTag;
          this.emit('bound', { queue: this.queue, consumerTag: ok.consumerTag });
        },
        lost: (reason) => this.emit('lost', { reason }),
        resumed: (info) => this.emit('resumed', info),
        ended: (error) => this.end(error),
      },
      options.recovery,
    );
    try {
      await this.recovering.start(options.signal);
    } catch (err) {
      this.end();
      throw err;
    }
    if (options.signal) {
      const signal = options.signal;
      if (signal.aborted) void this.stop();
      else signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
    return { consumerTag: this.consumerTag };
  }

  /** Cancels the consumer and closes its channel: every unacknowledged message goes back to the queue. */
  async stop(error?: BrokerError): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const ch = this.recovering?.channel;
    if (ch && this.consumerTag) {
      try {
        await ch.cancel(this.consumerTag);
      } catch {
        // channel already gone
      }
    }
    if (this.recovering) await this.recovering.stop(error);
    else this.end(error);
  }

  private onMessage(ch: Channel, msg: ConsumeMessage | null, generation: number): void {
    if (msg === null) {
      this.recovering?.lose(`queue "${this.queue}" was deleted`, generation);
      return;
    }
    this.stats.received++;
    this.chain = this.chain.then(() => this.handle(ch, msg, generation)).catch((err: unknown) => this.session.logger.error(`Consumer of queue "${this.queue}": ${errorMessage(err)}`));
  }

  private async handle(ch: Channel, msg: ConsumeMessage, generation: number): Promise<void> {
    // After a stop, a reconnect or a lost channel the broker has put this message back already: leave it
    // (writing out the rest of a dead channel's prefetch would show each of them twice).
    if (this.stopping || generation !== this.recovering?.generation || this.closedChannels.has(ch)) return;
    const message = toAmqpMessage(msg);
    try {
      if (this.sink) await this.sink(message);
    } catch (err) {
      const error = this.session.describe(`writing out a message of queue "${this.queue}"`, new Error(errorMessage(err)));
      this.session.logger.error(error.message);
      await this.stop(error);
      return;
    }
    if (this.stopping || generation !== this.recovering?.generation) return;
    this.buffer.push(message);
    this.emit('message', message);
    try {
      if (this.ackMode === 'ack') {
        ch.ack(msg);
        this.stats.acked++;
      } else if (this.ackMode === 'requeue') {
        ch.nack(msg, false, true);
        this.stats.requeued++;
      } else {
        ch.reject(msg, false);
        this.stats.rejected++;
      }
    } catch {
      // The channel closed meanwhile: the broker requeues the message itself.
    }
  }

  private end(error?: BrokerError): void {
    if (this.endedFlag) return;
    this.endedFlag = true;
    this.stopping = true;
    this.buffer.close();
    this.emit('ended', error ? { error } : {});
  }
}

/** `brokerExplorer.rabbitmq.consume`: resolves once the consumer is registered. */
export async function startConsumer(session: AmqpSession, args: ConsumeArgs, options: ConsumerOptions = {}): Promise<QueueConsumer> {
  const queue = checkShortString(args.queue, 'queue name');
  const prefetch = args.prefetch ?? DEFAULT_PREFETCH;
  if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > 65_535) {
    throw new InputError(`The prefetch ${String(prefetch)} is not valid: give a whole number from 1 to 65535.`);
  }
  const ack = args.ack ?? 'ack';
  if (ack !== 'ack' && ack !== 'requeue' && ack !== 'reject') {
    throw new InputError(`The ack mode "${String(ack)}" is not known: use ack, requeue or reject.`);
  }
  if (ack !== 'requeue') session.assertWritable(`consuming queue "${queue}" with ${ack === 'ack' ? 'acknowledgement (it removes the messages)' : 'reject'}`);
  const consumer = new QueueConsumer(session, queue, prefetch, ack, toAmqpTable(args.arguments, 'consumer arguments'), options.sink, options.bufferSize);
  await consumer.start(options);
  return consumer;
}
