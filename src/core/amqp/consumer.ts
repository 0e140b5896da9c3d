/**
 * Consuming a work queue on a connection of its own: prefetch (basic.qos,
 * default 10), messages handed to a sink one at a time, and the manual ack
 * (or requeue, or reject) sent only after the sink's promise resolved — so
 * a message is acknowledged only once it has been written out. `stop()`
 * cancels the consumer and closes the channel: every unacknowledged message
 * goes back to the queue. A lost connection is recovered like a tail's.
 */
import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import { type BrokerError, InputError, errorMessage } from '../errors';
import { DEFAULT_TAIL_BUFFER_SIZE } from '../tailBuffer';
import { BufferedMessages, type BufferedEvents } from './bufferedMessages';
import { checkShortString, toAmqpTable } from './amqpTable';
import type { AmqpSession } from './amqpSession';
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
  /** The first this many handled messages are held for `takeFirst`, never dropped, whatever the buffer size. */
  take?: number;
  recovery?: RecoveryOptions;
  /**
   * Call the sink for the next messages before the earlier ones' promises resolved (default: one at a
   * time). Acknowledgements stay in order: a message is acknowledged only once its sink and every
   * earlier one resolved. Lets a sink resolve once a batch is written out (one write for many messages).
   */
  overlap?: boolean;
}

export interface ConsumerEvents extends BufferedEvents {
  /** After the sink resolved, before the ack. */
  message: AmqpMessage;
  bound: { queue: string; consumerTag: string; node: string };
  lost: { reason: string };
  /** `node`: `host:port` of the node it resumed on. */
  resumed: { attempts: number; downtimeMs: number; node: string };
  ended: { error?: BrokerError };
}

export interface ConsumerStats {
  received: number;
  acked: number;
  requeued: number;
  rejected: number;
}

export const DEFAULT_PREFETCH = 10;

const WAITING = 0;
const RUNNING = 1;
const DONE = 2;

interface Pending {
  msg: ConsumeMessage;
  message: AmqpMessage;
  /** Its sink not called yet (waiting for the earlier ones), called, or resolved. */
  state: typeof WAITING | typeof RUNNING | typeof DONE;
}

/** One channel's messages in flight: sinks called in order, settled and acknowledged in order. */
interface Lane {
  ch: Channel;
  generation: number;
  /** Settled entries are cleared to undefined until the array is compacted. */
  entries: (Pending | undefined)[];
  /** Entries before it are settled. */
  head: number;
  /** The newest settled message not acknowledged yet, and how many are settled since the last ack. */
  last: ConsumeMessage | undefined;
  unacked: number;
  ackScheduled: boolean;
}

export class QueueConsumer extends BufferedMessages<ConsumerEvents> {
  readonly id = randomUUID();
  readonly stats: ConsumerStats = { received: 0, acked: 0, requeued: 0, rejected: 0 };
  private recovering: RecoveringChannel | undefined;
  private consumerTag = '';
  /** Messages of the current channel whose sink was called, not yet acknowledged. */
  private lane: Lane | undefined;
  /** Settled messages acknowledged at once (cumulatively) at the latest. */
  private readonly ackEvery: number;
  /** Channels that closed: their unacknowledged messages went back to the queue. */
  private readonly closedChannels = new WeakSet<Channel>();
  private stopping = false;

  constructor(
    readonly session: AmqpSession,
    readonly queue: string,
    readonly prefetch: number,
    readonly ackMode: AckMode,
    private readonly consumeArguments: Record<string, unknown>,
    private readonly sink: MessageSink | undefined,
    bufferSize: number = DEFAULT_TAIL_BUFFER_SIZE,
    private readonly overlap = false,
  ) {
    super(session.logger, bufferSize);
    this.ackEvery = Math.max(1, Math.floor(prefetch / 2));
  }

  /** `host:port` of the node the consumer is on (another one after a failover on a cluster). */
  get node(): string | undefined {
    return this.recovering?.nodeAddress;
  }

  /** Resolves once the consumer is registered. */
  async start(options: ConsumerOptions = {}): Promise<{ consumerTag: string }> {
    this.claimFirst(options.take);
    this.recovering = new RecoveringChannel(
      this.session,
      `consume ${this.queue} ${this.id.slice(0, 8)}`,
      l10n.t('consuming queue "{0}"', this.queue),
      {
        setup: async (ch, _model, generation, node) => {
          ch.once('close', () => this.closedChannels.add(ch));
          await ch.prefetch(this.prefetch);
          const ok = await ch.consume(this.queue, (msg) => this.onMessage(ch, msg, generation), {
            noAck: false,
            arguments: this.consumeArguments,
          });
          this.consumerTag = ok.consumerTag;
          this.emit('bound', { queue: this.queue, consumerTag: ok.consumerTag, node });
        },
        lost: (reason) => this.emit('lost', { reason }),
        resumed: (info) => this.emit('resumed', info),
        ended: (error) => this.end(error),
      },
      options.recovery,
    );
    await this.recovering.startFor({ stop: () => this.stop(), end: () => this.end() }, options.signal);
    return { consumerTag: this.consumerTag };
  }

  /** Cancels the consumer and closes its channel: every unacknowledged message goes back to the queue. */
  async stop(error?: BrokerError): Promise<void> {
    if (this.stopping) return;
    // What was written out is acknowledged before the channel closes; the rest goes back to the queue.
    if (this.lane) this.sendAck(this.lane);
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
      this.recovering?.lose(l10n.t('queue "{0}" was deleted', this.queue), generation);
      return;
    }
    this.stats.received++;
    // After a stop, a reconnect or a lost channel the broker has put this message back already: leave it
    // (writing out the rest of a dead channel's prefetch would show each of them twice).
    if (this.stopping || generation !== this.recovering?.generation || this.closedChannels.has(ch)) return;
    let lane = this.lane;
    if (!lane || lane.ch !== ch) {
      // A new channel: the old one's unacknowledged messages went back to the queue with it.
      if (lane) this.dropLane(lane);
      lane = this.lane = { ch, generation, entries: [], head: 0, last: undefined, unacked: 0, ackScheduled: false };
    }
    const message = toAmqpMessage(msg);
    // One sink at a time unless overlapping is allowed: this one waits for the earlier ones.
    if (!this.overlap && lane.head < lane.entries.length) {
      lane.entries.push({ msg, message, state: WAITING });
      return;
    }
    this.run(lane, msg, message, undefined);
  }

  /** Calls the sink for a message; its entry (when it has one) is marked done or running. True when done at once. */
  private run(lane: Lane, msg: ConsumeMessage, message: AmqpMessage, entry: Pending | undefined): boolean {
    let result: void | Promise<void>;
    try {
      result = this.sink ? this.sink(message) : undefined;
    } catch (err) {
      this.sinkFailed(lane, err);
      return false;
    }
    if (result === undefined) {
      if (entry) entry.state = DONE;
      else if (lane.head === lane.entries.length) {
        // Synchronous sink, nothing before it still waiting: settled now, without a promise.
        this.settle(lane, msg, message);
        this.afterSettled(lane);
      } else lane.entries.push({ msg, message, state: DONE });
      return true;
    }
    const e: Pending = entry ?? { msg, message, state: RUNNING };
    if (entry) entry.state = RUNNING;
    else lane.entries.push(e);
    Promise.resolve(result).then(
      () => {
        e.state = DONE;
        this.drain(lane);
      },
      (err: unknown) => this.sinkFailed(lane, err),
    );
    return false;
  }

  /** Settles the done messages at the head of the lane, in order (starting the waiting ones), then acknowledges them. */
  private drain(lane: Lane): void {
    if (lane !== this.lane) return;
    for (let e = lane.entries[lane.head]; e; e = lane.entries[lane.head]) {
      if (e.state === DONE) {
        lane.entries[lane.head++] = undefined;
        this.settle(lane, e.msg, e.message);
      } else if (e.state === WAITING) {
        if (this.stopping || lane.generation !== this.recovering?.generation || this.closedChannels.has(lane.ch)) break;
        const done = this.run(lane, e.msg, e.message, e);
        if (lane !== this.lane) return;
        if (!done) break;
      } else break;
    }
    if (lane.head === lane.entries.length) {
      lane.entries.length = 0;
      lane.head = 0;
    } else if (lane.head > 1024 && lane.head * 2 > lane.entries.length) {
      lane.entries = lane.entries.slice(lane.head);
      lane.head = 0;
    }
    // Nothing more in flight: acknowledge now (one ack for all that just settled) rather than a turn later.
    if (lane.head === lane.entries.length && lane.unacked > 0) this.sendAck(lane);
    else this.afterSettled(lane);
  }

  /** The sink resolved for `msg`: into the buffer, `message` event, and due for the (cumulative) ack. */
  private settle(lane: Lane, msg: ConsumeMessage, message: AmqpMessage): void {
    if (this.stopping || lane.generation !== this.recovering?.generation) return;
    this.buffer.push(message);
    this.emit('message', message);
    lane.last = msg;
    lane.unacked++;
  }

  private afterSettled(lane: Lane): void {
    if (lane.unacked === 0) return;
    if (lane.unacked >= this.ackEvery) {
      this.sendAck(lane);
      return;
    }
    if (lane.ackScheduled) return;
    lane.ackScheduled = true;
    setImmediate(() => {
      lane.ackScheduled = false;
      this.sendAck(lane);
    });
  }

  /** One ack (or nack / reject) for every settled message up to the last: never across channels. */
  private sendAck(lane: Lane): void {
    const last = lane.last;
    const n = lane.unacked;
    lane.last = undefined;
    lane.unacked = 0;
    if (!last || n === 0) return;
    if (lane !== this.lane || lane.generation !== this.recovering?.generation || this.closedChannels.has(lane.ch)) return;
    try {
      if (this.ackMode === 'ack') {
        lane.ch.ack(last, true);
        this.stats.acked += n;
      } else if (this.ackMode === 'requeue') {
        lane.ch.nack(last, true, true);
        this.stats.requeued += n;
      } else {
        lane.ch.nack(last, true, false);
        this.stats.rejected += n;
      }
    } catch {
      // The channel closed meanwhile: the broker requeues the messages itself.
    }
  }

  private sinkFailed(lane: Lane, err: unknown): void {
    if (lane !== this.lane || this.stopping) return;
    // What was written out before it still gets its ack; this message and the later ones go back to the queue.
    this.sendAck(lane);
    this.dropLane(lane);
    const error = this.session.describe(l10n.t('writing out a message of queue "{0}"', this.queue), new Error(errorMessage(err)));
    this.session.logger.error(error.message);
    // Not within this turn: a message can arrive while the consumer is still being registered.
    setImmediate(
      () => void this.stop(error).catch((e: unknown) => this.session.logger.error(`Consumer of queue "${this.queue}": ${errorMessage(e)}`)),
    );
  }

  private dropLane(lane: Lane): void {
    if (this.lane === lane) this.lane = undefined;
    lane.entries = [];
    lane.head = 0;
    lane.last = undefined;
    lane.unacked = 0;
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
  const queue = checkShortString(args.queue, l10n.t('queue name'));
  const prefetch = args.prefetch ?? DEFAULT_PREFETCH;
  if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > 65_535) {
    throw new InputError(l10n.t('The prefetch {0} is not valid: give a whole number from 1 to 65535.', String(prefetch)));
  }
  const ack = args.ack ?? 'ack';
  if (ack !== 'ack' && ack !== 'requeue' && ack !== 'reject') {
    throw new InputError(l10n.t('The ack mode "{0}" is not known: use ack, requeue or reject.', String(ack)));
  }
  if (ack !== 'requeue')
    session.assertWritable(
      ack === 'ack'
        ? l10n.t('consuming queue "{0}" with acknowledgement (it removes the messages)', queue)
        : l10n.t('consuming queue "{0}" with reject', queue),
    );
  const consumer = new QueueConsumer(
    session,
    queue,
    prefetch,
    ack,
    toAmqpTable(args.arguments, l10n.t('consumer arguments')),
    options.sink,
    options.bufferSize,
    options.overlap ?? false,
  );
  await consumer.start(options);
  return consumer;
}
