/**
 * Tailing an exchange: an exclusive, auto-delete, server-named queue on a
 * connection of its own, bound with zero keys (fanout: everything; topic:
 * `#`), routing keys (direct), patterns (topic) or header arguments
 * (headers). It sees only what is published after it is bound. After the
 * connection is lost it reconnects, declares a new queue and binds it again,
 * reporting `lost` and `resumed`.
 */
import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import { type BrokerError, CancelledError, InputError, NotFoundError } from '../errors';
import { DEFAULT_TAIL_BUFFER_SIZE } from '../tailBuffer';
import { BufferedMessages, type BufferedEvents } from './bufferedMessages';
import { checkShortString, toAmqpTable } from './amqpTable';
import type { AmqpSession } from './amqpSession';
import { toAmqpMessage, type AmqpMessage } from './messageProperties';
import { RecoveringChannel, type RecoveryOptions } from './recoveringChannel';

export interface TailArgs {
  exchange: string;
  /** Routing keys (direct) or patterns (topic); none binds everything (fanout, topic `#`, headers). */
  bindingKeys?: string[];
  /** Binding arguments, for a headers exchange: `{ "x-match": "any", "level": "error" }`. */
  bindingArguments?: Record<string, unknown>;
  /** The exchange's type when known; otherwise looked up through the management API (best effort). */
  exchangeType?: string;
}

export interface TailOptions {
  signal?: AbortSignal;
  /** Messages kept for `read` and iteration (default 10,000; the oldest are dropped past it). */
  bufferSize?: number;
  /** The first this many messages are held for `takeFirst`, never dropped, whatever the buffer size. */
  take?: number;
  recovery?: RecoveryOptions;
}

export interface TailEvents extends BufferedEvents {
  message: AmqpMessage;
  /** The queue is declared, bound and consumed (on start and after every resume). */
  bound: { queue: string; bindingKeys: string[]; node: string };
  /** The connection dropped; messages published until `resumed` are not seen. */
  lost: { reason: string };
  /** `node`: `host:port` of the node it resumed on (on a cluster, another one when its node stopped). */
  resumed: { queue: string; attempts: number; downtimeMs: number; node: string };
  /** Stopped, by `stop()` or by an error retrying cannot fix. */
  ended: { error?: BrokerError };
}

/** The keys a tail binds with, given the exchange type. */
export function tailBindingKeys(exchange: string, keys: readonly string[], type: string | undefined): string[] {
  if (keys.length > 0) return [...new Set(keys)];
  if (type === 'direct') {
    throw new InputError(
      l10n.t('Exchange "{0}" is a direct exchange: give the routing keys to tail (a direct binding matches one key exactly).', exchange),
    );
  }
  return [type === 'fanout' || type === 'headers' ? '' : '#'];
}

export class ExchangeTail extends BufferedMessages<TailEvents> {
  readonly id = randomUUID();
  private currentQueue = '';
  private receivedCount = 0;
  private recovering: RecoveringChannel | undefined;

  constructor(
    readonly session: AmqpSession,
    readonly exchange: string,
    readonly bindingKeys: string[],
    readonly bindingArguments: Record<string, unknown>,
    bufferSize: number = DEFAULT_TAIL_BUFFER_SIZE,
  ) {
    super(session.logger, bufferSize);
  }

  /** The server-named queue of the current connection. */
  get queue(): string {
    return this.currentQueue;
  }

  /** `host:port` of the node the tail is on (another one after a failover on a cluster). */
  get node(): string | undefined {
    return this.recovering?.nodeAddress;
  }

  get received(): number {
    return this.receivedCount;
  }

  /** Starts and resolves once the queue is bound and consumed. */
  async start(options: TailOptions = {}): Promise<{ queue: string }> {
    this.claimFirst(options.take);
    const what = l10n.t('tailing exchange "{0}"', this.exchange);
    this.recovering = new RecoveringChannel(
      this.session,
      `tail ${this.exchange} ${this.id.slice(0, 8)}`,
      what,
      {
        setup: async (ch, _model, generation, node) => {
          const q = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
          for (const key of this.bindingKeys) await ch.bindQueue(q.queue, this.exchange, key, this.bindingArguments);
          await ch.consume(q.queue, (msg: ConsumeMessage | null) => this.onMessage(msg, generation), { noAck: true, exclusive: true });
          this.currentQueue = q.queue;
          this.emit('bound', { queue: q.queue, bindingKeys: [...this.bindingKeys], node });
        },
        lost: (reason) => {
          this.session.logger.warn(
            `Tail of exchange "${this.exchange}" (profile "${this.session.profile.name}"): connection lost (${reason}); reconnecting.`,
          );
          this.emit('lost', { reason });
        },
        resumed: (info) => {
          this.session.logger.info(
            `Tail of exchange "${this.exchange}" (profile "${this.session.profile.name}"): resumed on node ${info.node} after ${info.downtimeMs} ms.`,
          );
          this.emit('resumed', { queue: this.currentQueue, ...info });
        },
        ended: (error) => this.end(error),
      },
      options.recovery,
    );
    await this.recovering.startFor({ stop: () => this.stop(), end: () => this.end() }, options.signal);
    return { queue: this.currentQueue };
  }

  /** Stops: cancels, closes the connection (the broker deletes the queue) and ends iteration. */
  async stop(): Promise<void> {
    if (this.recovering) await this.recovering.stop();
    else this.end();
  }

  private onMessage(msg: ConsumeMessage | null, generation: number): void {
    if (msg === null) {
      // The broker cancelled the consumer: the queue was deleted under us.
      this.recovering?.lose(l10n.t('the tail queue was deleted'), generation);
      return;
    }
    this.receivedCount++;
    const message = toAmqpMessage(msg);
    this.buffer.push(message);
    this.emit('message', message);
  }

  private end(error?: BrokerError): void {
    if (this.endedFlag) return;
    this.endedFlag = true;
    this.buffer.close();
    this.emit('ended', error ? { error } : {});
  }
}

/**
 * `brokerExplorer.rabbitmq.tail`: starts a tail and resolves once it is
 * bound. Aborting the signal later stops it.
 */
export async function startTail(session: AmqpSession, args: TailArgs, options: TailOptions = {}): Promise<ExchangeTail> {
  const exchange = checkShortString(args.exchange, l10n.t('exchange name'), { allowEmpty: true });
  if (exchange === '')
    throw new InputError(
      l10n.t('The default exchange ("") cannot be tailed: it cannot be bound; tail the exchange the messages are published to.'),
    );
  const keys = (args.bindingKeys ?? []).map((k) => checkShortString(k, l10n.t('binding key'), { allowEmpty: true }));
  const table = toAmqpTable(args.bindingArguments, l10n.t('binding arguments'));
  let type = args.exchangeType;
  if (type === undefined && keys.length === 0) {
    try {
      type = (await session.management().getExchange(session.vhost, exchange, options.signal ? { signal: options.signal } : {})).type;
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof CancelledError) throw err;
      // No management API: bind with "#", which covers fanout, topic and headers.
    }
  }
  const tail = new ExchangeTail(session, exchange, tailBindingKeys(exchange, keys, type), table, options.bufferSize);
  await tail.start(options);
  return tail;
}
