/**
 * Publishing one message with publisher confirms and, by default,
 * `mandatory`, so an unroutable message is reported (routed: false) rather
 * than dropped in silence.
 */
import * as l10n from '@vscode/l10n';
import { toBuffer, type BytesLike } from '../bytes';
import { TimeoutError, asError, errorMessage } from '../errors';
import { checkShortString } from './amqpTable';
import type { AmqpSession } from './amqpSession';
import { publishOptions } from './messageProperties';

export interface PublishArgs {
  /** "" is the default exchange: it routes to the queue named by the routing key. */
  exchange: string;
  routingKey: string;
  body: BytesLike | Buffer;
  /** amqplib's names: contentType, headers, persistent / deliveryMode, expiration, priority, … */
  properties?: unknown;
  /**
   * Default true: the broker returns a message no queue takes, and the result
   * says `routed: false`. With false, routing is not checked and `routed` is true.
   */
  mandatory?: boolean;
}

export interface PublishResult {
  /** The broker confirmed (acked) the message; false when it nacked it. */
  confirmed: boolean;
  /** False when the broker returned the message as unroutable (mandatory only). */
  routed: boolean;
}

export interface PublishOptions {
  signal?: AbortSignal;
  /** How long to wait for the broker's confirm (default 30 s). */
  timeoutMs?: number;
}

export const DEFAULT_CONFIRM_TIMEOUT_MS = 30_000;

/** `brokerExplorer.rabbitmq.publish`. */
export async function publish(session: AmqpSession, args: PublishArgs, options: PublishOptions = {}): Promise<PublishResult> {
  const exchange = checkShortString(args.exchange ?? '', l10n.t('exchange name'), { allowEmpty: true });
  const routingKey = checkShortString(args.routingKey ?? '', l10n.t('routing key'), { allowEmpty: true });
  const body = toBuffer(args.body, l10n.t('message body'));
  const props = publishOptions(args.properties);
  const mandatory = args.mandatory ?? true;
  const target = exchange === '' ? l10n.t('the default exchange (queue "{0}")', routingKey) : l10n.t('exchange "{0}"', exchange);
  session.assertWritable(l10n.t('publishing to {0}', target));
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS;
  return session.withChannel(
    l10n.t('publishing to {0}', target),
    async (ch) => {
      let returned = false;
      ch.on('return', () => {
        returned = true;
      });
      const confirmed = await new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new TimeoutError(
              l10n.t(
                'Publishing to {0} on profile "{1}" (vhost "{2}") got no confirm within {3} ms; the broker may be blocking publishers (memory or disk alarm).',
                target,
                session.profile.name,
                session.vhost,
                timeoutMs,
              ),
            ),
          );
        }, timeoutMs);
        try {
          ch.publish(exchange, routingKey, body, { ...props, mandatory }, (err: unknown) => {
            clearTimeout(timer);
            if (err === null || err === undefined) resolve(true);
            else if (/nack/i.test(errorMessage(err))) resolve(false);
            else reject(asError(err));
          });
        } catch (err) {
          clearTimeout(timer);
          reject(asError(err));
        }
      });
      return { confirmed, routed: !returned };
    },
    { confirm: true, ...(options.signal ? { signal: options.signal } : {}) },
  );
}
