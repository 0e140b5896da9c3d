/**
 * Peeking at messages without losing them. Classic and quorum queues:
 * basic.get without ack N times, then one nack of all of them with requeue
 * at the end (so no message is fetched twice); the depth is unchanged but
 * the broker marks them redelivered. Stream queues refuse basic.get (and the
 * broker closes the whole connection for it), so a stream is read with a
 * consumer from offset "first" and a prefetch, cancelled after N.
 */
import * as l10n from '@vscode/l10n';
import type { Channel, ConsumeMessage, GetMessage } from 'amqplib';
import { CancelledError, InputError, NotFoundError } from '../errors';
import { closeQuietly } from './amqpConnection';
import { amqpReplyCode } from './amqpErrors';
import { checkShortString } from './amqpTable';
import type { AmqpSession } from './amqpSession';
import { toAmqpMessage, type AmqpMessage } from './messageProperties';

export interface PeekArgs {
  queue: string;
  count: number;
  /** classic, quorum or stream; looked up through the management API when absent. */
  queueType?: string;
}

export interface PeekOptions {
  signal?: AbortSignal;
  /** Streams: stop when no message came for this long (default 1,000 ms). */
  idleMs?: number;
}

export interface PeekResult {
  messages: AmqpMessage[];
  queueType: string;
  /** What the user should know: redelivered flags, delivery limits, fewer messages than asked. */
  note: string;
}

export const MAX_PEEK = 10_000;
export const DEFAULT_STREAM_IDLE_MS = 1_000;

/** `brokerExplorer.rabbitmq.peek`: the queue keeps every message. */
export async function peekMessages(session: AmqpSession, args: PeekArgs, options: PeekOptions = {}): Promise<PeekResult> {
  const queue = checkShortString(args.queue, l10n.t('queue name'));
  const count = args.count;
  if (!Number.isInteger(count) || count < 1 || count > MAX_PEEK) {
    throw new InputError(l10n.t('The peek count {0} is not valid: give a whole number from 1 to {1}.', String(count), MAX_PEEK));
  }
  let type = args.queueType;
  if (type === undefined) {
    try {
      type = (await session.management().getQueue(session.vhost, queue, options.signal ? { signal: options.signal } : {})).type;
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof CancelledError) throw err;
      // No management API: probe on a connection of its own (see below).
    }
  }
  if (type === 'stream') return peekStream(session, queue, count, options);
  if (type !== undefined) {
    const messages = await session.withChannel(
      l10n.t('peeking at queue "{0}"', queue),
      (ch) => getAndRequeue(ch, queue, count),
      options.signal ? { signal: options.signal } : {},
    );
    return { messages, queueType: type, note: getNote(messages.length, count, type) };
  }
  return peekUnknownType(session, queue, count, options);
}

async function getAndRequeue(ch: Channel, queue: string, count: number): Promise<AmqpMessage[]> {
  await ch.checkQueue(queue);
  const got: GetMessage[] = [];
  while (got.length < count) {
    const msg = await ch.get(queue, { noAck: false });
    if (msg === false) break;
    got.push(msg);
  }
  const last = got[got.length - 1];
  // All at once, at the end: a message put back earlier could be fetched again.
  if (last) ch.nack(last, true, true);
  return got.map(toAmqpMessage);
}

function getNote(got: number, asked: number, type: string): string {
  const notes = [
    got === 0
      ? l10n.t('The queue has no ready messages.')
      : got === 1
        ? l10n.t('Fetched {0} message and put it back: the queue keeps every message, and the broker now flags it as redelivered.', got)
        : l10n.t(
            'Fetched {0} messages and put them all back: the queue keeps every message, and the broker now flags them as redelivered.',
            got,
          ),
  ];
  if (got > 0 && got < asked) notes.push(l10n.t('The queue had only {0} ready.', got));
  if (type === 'quorum' && got > 0)
    notes.push(
      l10n.t(
        'On a quorum queue each peek counts toward the delivery limit (x-delivery-limit): a message peeked too often is dropped or dead-lettered.',
      ),
    );
  return notes.join(' ');
}

async function peekStream(session: AmqpSession, queue: string, count: number, options: PeekOptions): Promise<PeekResult> {
  const idleMs = options.idleMs ?? DEFAULT_STREAM_IDLE_MS;
  const messages = await session.withChannel(
    l10n.t('peeking at stream "{0}"', queue),
    async (ch) => (await consumeStream(ch, queue, count, 'first', idleMs)).map(toAmqpMessage),
    options.signal ? { signal: options.signal } : {},
  );
  const n = messages.length;
  const read =
    n === 1
      ? l10n.t('Read {0} message from the start of the stream with a consumer (x-stream-offset "first"); a stream keeps every message.', n)
      : l10n.t(
          'Read {0} messages from the start of the stream with a consumer (x-stream-offset "first"); a stream keeps every message.',
          n,
        );
  const note = n < count ? `${read} ${l10n.t('The stream had only {0}.', n)}` : read;
  return { messages, queueType: 'stream', note };
}

/**
 * Reads up to `count` messages of a stream queue with a consumer from
 * `offset` (the x-stream-offset argument: "first", "last", "next", a number
 * or a timestamp), acking each (a stream keeps them), until `count` arrived
 * or nothing came for `idleMs`; the consumer is cancelled afterwards.
 */
export async function consumeStream(ch: Channel, queue: string, count: number, offset: unknown, idleMs: number): Promise<ConsumeMessage[]> {
  await ch.prefetch(Math.min(count, 1_000));
  const got: ConsumeMessage[] = [];
  let tag: string | undefined;
  await new Promise<void>((resolve, reject) => {
    let idle: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (idle) clearTimeout(idle);
      resolve();
    };
    const rearm = (): void => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(finish, idleMs);
    };
    ch.on('close', () => {
      if (!done) reject(new Error('Channel closed'));
    });
    ch.consume(
      queue,
      (msg) => {
        if (done) return;
        if (msg === null) return finish();
        got.push(msg);
        ch.ack(msg);
        if (got.length >= count) finish();
        else rearm();
      },
      { noAck: false, arguments: { 'x-stream-offset': offset } },
    ).then((ok) => {
      tag = ok.consumerTag;
      if (!done) rearm();
    }, reject);
  });
  if (tag) await ch.cancel(tag);
  return got.slice(0, count);
}

/**
 * Without the management API the type is unknown: try basic.get on a
 * connection of its own (a stream makes the broker close that connection,
 * which then harms nothing else) and fall back to reading it as a stream.
 */
async function peekUnknownType(session: AmqpSession, queue: string, count: number, options: PeekOptions): Promise<PeekResult> {
  const what = l10n.t('peeking at queue "{0}"', queue);
  const model = await session.openConnection(`peek ${queue}`, options.signal);
  let connectionError: unknown;
  model.on('error', (err: unknown) => {
    connectionError = err;
  });
  try {
    const open = await session.openChannel(what, { model, ...(options.signal ? { signal: options.signal } : {}) });
    try {
      const messages = await getAndRequeue(open.channel, queue, count);
      return { messages, queueType: 'classic or quorum', note: getNote(messages.length, count, 'classic') };
    } catch (err) {
      const cause = connectionError ?? open.serverError ?? err;
      if (amqpReplyCode(cause) !== 540) throw session.describe(what, cause);
    } finally {
      await open.close();
    }
  } finally {
    await closeQuietly(model);
  }
  // 540 NOT_IMPLEMENTED: basic.get is not supported by stream queues.
  return peekStream(session, queue, count, options);
}
