/**
 * RPC over AMQP: publish with `replyTo` and a UUID `correlationId`, wait
 * for the reply with that id (others are ignored) or time out. The default
 * reply path is direct reply-to: `amq.rabbitmq.reply-to` consumed with
 * noAck on the same channel before publishing. `replyMode: "callbackQueue"`
 * uses an exclusive server-named queue instead, as the classic tutorial.
 * Each call has its own channel, so concurrent calls never see each other's
 * replies.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ConsumeMessage } from 'amqplib';
import { toBuffer, fromBuffer, type BytesLike } from '../bytes';
import { InputError, NotFoundError, TimeoutError } from '../errors';
import { checkShortString } from './amqpTable';
import type { AmqpSession } from './amqpSession';
import { propertiesFromAmqp, publishOptions, type AmqpProperties } from './messageProperties';

export type ReplyMode = 'direct' | 'callbackQueue';

export interface RpcArgs {
  /** Default "" (the default exchange: routingKey names the server's queue). */
  exchange?: string;
  routingKey: string;
  body: BytesLike | Buffer;
  /** replyTo and correlationId are set by the call itself. */
  properties?: unknown;
  /** Default 10,000 ms. */
  timeoutMs?: number;
  /** Default "direct". */
  replyMode?: ReplyMode;
}

export interface RpcResult {
  body: BytesLike;
  properties: AmqpProperties;
  /** From publishing the request to receiving the reply. */
  elapsedMs: number;
}

export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

/** `brokerExplorer.rabbitmq.rpcCall`. */
export async function rpcCall(session: AmqpSession, args: RpcArgs, options: { signal?: AbortSignal } = {}): Promise<RpcResult> {
  const exchange = checkShortString(args.exchange ?? '', 'exchange name', { allowEmpty: true });
  const routingKey = checkShortString(args.routingKey, 'routing key', { allowEmpty: exchange !== '' });
  const body = toBuffer(args.body, 'request body');
  const props = publishOptions(args.properties);
  const timeoutMs = args.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000) {
    throw new InputError(`The timeout ${String(timeoutMs)} ms is not valid: give a whole number of milliseconds from 1 to 600000.`);
  }
  const mode = args.replyMode ?? 'direct';
  if (mode !== 'direct' && mode !== 'callbackQueue') throw new InputError(`The reply mode "${String(mode)}" is not known: use "direct" or "callbackQueue".`);
  const target = exchange === '' ? `queue "${routingKey}"` : `exchange "${exchange}" with routing key "${routingKey}"`;
  const what = `calling ${target} (RPC)`;
  session.assertWritable(what);
  const where = `on profile "${session.profile.name}" (vhost "${session.vhost}")`;

  return session.withChannel(
    what,
    async (ch) => {
      let replyTo = DIRECT_REPLY_TO;
      if (mode === 'callbackQueue') {
        replyTo = (await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false })).queue;
      }
      const correlationId = randomUUID();
      return new Promise<RpcResult>((resolve, reject) => {
        let started = 0;
        let settled = false;
        const settle = (fn: () => void): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          fn();
        };
        const timer = setTimeout(
          () =>
            settle(() =>
              reject(
                new TimeoutError(
                  `The RPC call to ${target} ${where} got no reply within ${timeoutMs} ms; check that a server consumes ${target} and replies to the replyTo queue with the same correlationId.`,
                ),
              ),
            ),
          timeoutMs,
        );
        ch.on('close', () => settle(() => reject(new Error('Channel closed'))));
        ch.on('return', (msg: { properties: { correlationId?: unknown } }) => {
          if (msg.properties.correlationId !== correlationId) return;
          settle(() =>
            reject(
              new NotFoundError(
                exchange === ''
                  ? `The RPC call to ${target} ${where} was not delivered: there is no queue named "${routingKey}"; check the name and that the server is running.`
                  : `The RPC call to ${target} ${where} was not delivered: no queue is bound for that routing key; check the routing key and that the server is running.`,
              ),
            ),
          );
        });
        const onReply = (msg: ConsumeMessage | null): void => {
          if (msg === null) return settle(() => reject(new Error('Channel closed: the reply consumer was cancelled')));
          if (msg.properties.correlationId !== correlationId) return; // someone else's reply: ignore it
          const elapsedMs = Math.round((performance.now() - started) * 1000) / 1000;
          settle(() => resolve({ body: fromBuffer(msg.content), properties: propertiesFromAmqp(msg.properties), elapsedMs }));
        };
        // Direct reply-to needs the consumer (noAck) before the publish, on the same channel.
        ch.consume(replyTo, onReply, { noAck: true, exclusive: mode === 'callbackQueue' }).then(() => {
          if (settled) return;
          started = performance.now();
          try {
            ch.publish(exchange, routingKey, body, { ...props, replyTo, correlationId, mandatory: true });
          } catch (err) {
            settle(() => reject(err));
          }
        }, (err: unknown) => settle(() => reject(err)));
      });
    },
    options.signal ? { signal: options.signal } : {},
  );
}
