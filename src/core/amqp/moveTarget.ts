/**
 * What both routes of a move share (messageMover.ts runs it in Broker
 * Explorer, shovelMove.ts as a server-side shovel): the arguments and the
 * result, the checks of the target and the count, and the source's depth
 * once the broker has requeued what was given back.
 */
import * as l10n from '@vscode/l10n';
import { InputError } from '../errors';
import type { AmqpSession } from './amqpSession';
import { checkShortString } from './amqpTable';
import type { MoveRoute } from './deadLetters';
import { checkExchange, checkQueue } from './topology';

/** Where a move runs: "client" (Broker Explorer over AMQP, the default) or "shovel" (the broker's dynamic shovel). */
export type MoveRouteKind = 'client' | 'shovel';

export interface MoveArgs {
  queue: string;
  /** An exchange ("" is the default exchange) and a routing key; or `toQueue`; or `replayDeadLetters`. */
  toExchange?: string;
  routingKey?: string;
  toQueue?: string;
  /** How many; all the queue holds when the move starts when absent. */
  count?: number;
  /** Each message goes back to the exchange and routing key it was first published with. */
  replayDeadLetters?: boolean;
  /** "client" (default) or "shovel" (needs the dynamic shovel plugin). */
  route?: MoveRouteKind;
}

export interface MoveResult {
  /** Which route ran. */
  route: MoveRouteKind;
  /** Copies the broker confirmed (and whose source message was acked); for a shovel, how much the source's depth fell. */
  moved: number;
  /** Messages in the source queue when the move ended. */
  kept: number;
  /** Moved messages the source had redelivered: a copy may already have been in the target. */
  possibleDuplicates?: number;
  /** Why the move ended before `count` (or before the queue was empty); absent when it completed. */
  stoppedBecause?: string;
  /** The run's id: the value of the `x-be-move-id` header on every copy (client route); part of the shovel's name (shovel route). */
  moveId: string;
  /** Whether each copy carries `x-be-move-id` (a shovel cannot add headers on RabbitMQ before 4.x). */
  copiesMarked: boolean;
  /** The dynamic shovel's name (shovel route). */
  shovel?: string;
}

export interface MoveProgress {
  moved: number;
  total: number;
}

export const MAX_MOVE_COUNT = 100_000_000;

export interface Target {
  fixed?: MoveRoute;
  /** For the run's sentences. */
  label: string;
}

export function describeRoute(route: MoveRoute): string {
  return route.exchange === ''
    ? l10n.t('queue "{0}"', route.routingKey)
    : l10n.t('exchange "{0}" with routing key "{1}"', route.exchange, route.routingKey);
}

export function checkTarget(args: MoveArgs): Target {
  const given = [args.toExchange !== undefined, args.toQueue !== undefined, args.replayDeadLetters === true].filter(Boolean).length;
  if (given !== 1)
    throw new InputError(
      l10n.t('Moving messages needs exactly one target: "toExchange" (with "routingKey"), "toQueue", or "replayDeadLetters": true.'),
    );
  if (args.replayDeadLetters === true) {
    if (args.routingKey !== undefined)
      throw new InputError(l10n.t('Replaying dead letters takes no "routingKey": each message goes back to its own.'));
    return { label: l10n.t('where they were first published') };
  }
  if (args.toQueue !== undefined) {
    const toQueue = checkShortString(args.toQueue, l10n.t('target queue name'));
    if (toQueue === args.queue)
      throw new InputError(l10n.t('Queue "{0}" is both the source and the target: choose another target.', toQueue));
    if (args.routingKey !== undefined)
      throw new InputError(l10n.t('Moving to a queue takes no "routingKey": the queue name is the routing key.'));
    return { fixed: { exchange: '', routingKey: toQueue }, label: l10n.t('queue "{0}"', toQueue) };
  }
  const exchange = checkShortString(args.toExchange, l10n.t('target exchange name'), { allowEmpty: true });
  const routingKey = checkShortString(args.routingKey ?? '', l10n.t('routing key'), { allowEmpty: true });
  if (exchange === '' && routingKey === args.queue)
    throw new InputError(l10n.t('Queue "{0}" is both the source and the target: choose another target.', routingKey));
  return { fixed: { exchange, routingKey }, label: describeRoute({ exchange, routingKey }) };
}

export function checkCount(count: unknown): number | undefined {
  if (count === undefined) return undefined;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_MOVE_COUNT)
    throw new InputError(
      l10n.t('The count {0} is not valid: give a whole number from 1 to {1}, or none for all.', JSON.stringify(count), MAX_MOVE_COUNT),
    );
  return count;
}

export function checkRouteKind(route: unknown): MoveRouteKind {
  if (route === undefined || route === 'client') return 'client';
  if (route === 'shovel') return 'shovel';
  throw new InputError(
    l10n.t(
      'The route {0} is not known: use "client" (Broker Explorer moves them) or "shovel" (the broker\'s dynamic shovel).',
      JSON.stringify(route),
    ),
  );
}

/** The target exists (a fixed one): a missing exchange or queue is one NotFoundError sentence. */
export async function checkTargetExists(session: AmqpSession, target: Target, signal: AbortSignal | undefined): Promise<void> {
  const route = target.fixed;
  if (!route) return;
  const opts = signal ? { signal } : {};
  if (route.exchange !== '') await checkExchange(session, route.exchange, opts);
  else await checkQueue(session, route.routingKey, opts);
}

/**
 * The source's depth once the messages given back on the way out (unacked
 * when its channel closed, nacked) are counted again: the broker requeues
 * them a moment after the channel's close-ok. Waits up to a second for the
 * depth to reach `expected` (what the source held minus what moved); with
 * other producers or consumers on the queue, it reads what is there then.
 */
export async function settledDepth(session: AmqpSession, queue: string, expected: number): Promise<number> {
  let depth = (await checkQueue(session, queue)).messageCount;
  for (let waited = 0; depth < expected && waited < 1_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    depth = (await checkQueue(session, queue)).messageCount;
  }
  return depth;
}
