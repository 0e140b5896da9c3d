/**
 * `brokerExplorer.rabbitmq.moveMessages`: move messages from a queue to an
 * exchange (with a routing key), to another queue (through the default
 * exchange), or back where they were first published (replaying dead
 * letters), without losing any. See movePass.ts for how one pass works; this
 * file checks the input, runs passes on a connection of its own (reconnecting
 * after a loss, to any node of the profile) and counts.
 */
import { randomUUID } from 'node:crypto';
import type { Message } from 'amqplib';
import { BrokerError, InputError, NotFoundError, errorMessage } from '../errors';
import { closeQuietly } from './amqpConnection';
import type { AmqpSession } from './amqpSession';
import { checkShortString } from './amqpTable';
import { deadLetterRoute, type MoveRoute } from './deadLetters';
import { MovePass, type MoveCounts, type MovePlan } from './movePass';
import { checkExchange, checkQueue } from './topology';

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
}

export interface MoveResult {
  /** Copies the broker confirmed (and whose source message was acked). */
  moved: number;
  /** Messages in the source queue when the move ended. */
  kept: number;
  /** Moved messages the source had redelivered: a copy may already have been in the target. */
  possibleDuplicates?: number;
  /** Why the move ended before `count` (or before the queue was empty); absent when it completed. */
  stoppedBecause?: string;
  /** The value of the `x-be-move-id` header on every copy of this run. */
  moveId: string;
}

export interface MoveProgress {
  moved: number;
  total: number;
}

export interface MoveOptions {
  signal?: AbortSignal;
  onProgress?: (progress: MoveProgress) => void;
  /** Messages in flight at once (default 500). */
  prefetch?: number;
  /** End when the source sends nothing for this long (default 2,000 ms). */
  idleMs?: number;
  /** Reconnections after a lost connection before giving up (default 5). */
  maxReconnects?: number;
}

export const DEFAULT_MOVE_PREFETCH = 500;
export const MAX_MOVE_COUNT = 100_000_000;

interface Target {
  fixed?: MoveRoute;
  /** For the run's sentences. */
  label: string;
}

function checkTarget(args: MoveArgs): Target {
  const given = [args.toExchange !== undefined, args.toQueue !== undefined, args.replayDeadLetters === true].filter(Boolean).length;
  if (given !== 1)
    throw new InputError(
      'Moving messages needs exactly one target: "toExchange" (with "routingKey"), "toQueue", or "replayDeadLetters": true.',
    );
  if (args.replayDeadLetters === true) {
    if (args.routingKey !== undefined)
      throw new InputError('Replaying dead letters takes no "routingKey": each message goes back to its own.');
    return { label: 'where they were first published' };
  }
  if (args.toQueue !== undefined) {
    const toQueue = checkShortString(args.toQueue, 'target queue name');
    if (toQueue === args.queue) throw new InputError(`Queue "${toQueue}" is both the source and the target: choose another target.`);
    if (args.routingKey !== undefined) throw new InputError('Moving to a queue takes no "routingKey": the queue name is the routing key.');
    return { fixed: { exchange: '', routingKey: toQueue }, label: `queue "${toQueue}"` };
  }
  const exchange = checkShortString(args.toExchange, 'target exchange name', { allowEmpty: true });
  const routingKey = checkShortString(args.routingKey ?? '', 'routing key', { allowEmpty: true });
  if (exchange === '' && routingKey === args.queue)
    throw new InputError(`Queue "${routingKey}" is both the source and the target: choose another target.`);
  return { fixed: { exchange, routingKey }, label: describeRoute({ exchange, routingKey }) };
}

function describeRoute(route: MoveRoute): string {
  return route.exchange === '' ? `queue "${route.routingKey}"` : `exchange "${route.exchange}" with routing key "${route.routingKey}"`;
}

function checkCount(count: unknown): number | undefined {
  if (count === undefined) return undefined;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_MOVE_COUNT)
    throw new InputError(
      `The count ${JSON.stringify(count)} is not valid: give a whole number from 1 to ${MAX_MOVE_COUNT}, or none for all.`,
    );
  return count;
}

/** The target exists (a fixed one): a missing exchange or queue is one NotFoundError sentence. */
async function checkTargetExists(session: AmqpSession, target: Target, signal: AbortSignal | undefined): Promise<void> {
  const route = target.fixed;
  if (!route) return;
  const opts = signal ? { signal } : {};
  if (route.exchange !== '') await checkExchange(session, route.exchange, opts);
  else await checkQueue(session, route.routingKey, opts);
}

/** Moves messages; never loses one (see the file comment). Refused on read-only profiles before anything is sent. */
export async function moveMessages(session: AmqpSession, args: MoveArgs, options: MoveOptions = {}): Promise<MoveResult> {
  const queue = checkShortString(args.queue, 'source queue name');
  const target = checkTarget(args);
  const count = checkCount(args.count);
  session.assertWritable(`moving messages from queue "${queue}" to ${target.label}`);
  const signal = options.signal;
  const opts = signal ? { signal } : {};
  const depth = (await checkQueue(session, queue, opts)).messageCount;
  await checkTargetExists(session, target, signal);
  const plan: MovePlan = {
    queue,
    route: target.fixed ? fixedRoute(target.fixed) : (msg: Message) => deadLetterRoute(msg.properties.headers),
    describe: describeRoute,
    moveId: randomUUID(),
    total: count ?? depth,
    prefetch: Math.max(1, Math.min(options.prefetch ?? DEFAULT_MOVE_PREFETCH, 65_535)),
    idleMs: options.idleMs ?? 2_000,
  };
  const counts: MoveCounts = { moved: 0, possibleDuplicates: 0, uncertain: 0 };
  if (plan.total > 0) await runPasses(session, plan, target, counts, { ...options, all: count === undefined });
  const kept = await settledDepth(session, queue, depth - counts.moved);
  const result: MoveResult = { moved: counts.moved, kept, moveId: plan.moveId };
  if (counts.possibleDuplicates > 0) result.possibleDuplicates = counts.possibleDuplicates;
  if (counts.stoppedBecause !== undefined)
    result.stoppedBecause = `${counts.stoppedBecause}. Moved ${counts.moved} from queue "${queue}" on profile "${session.profile.name}"; ${kept} remain there.`;
  return result;
}

function fixedRoute(route: MoveRoute): () => MoveRoute {
  return () => route;
}

async function runPasses(
  session: AmqpSession,
  plan: MovePlan,
  target: Target,
  counts: MoveCounts,
  options: MoveOptions & { all: boolean },
): Promise<void> {
  const all = options.all;
  const maxReconnects = options.maxReconnects ?? 5;
  let extended = 0;
  const onMoved = (): void => options.onProgress?.({ moved: counts.moved, total: plan.total });
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      // After a loss: the target must still be there, or every copy would go nowhere.
      try {
        await checkTargetExists(session, target, options.signal);
      } catch (err) {
        counts.stoppedBecause ??= err instanceof NotFoundError ? err.message.replace(/\.$/, '') : errorMessage(err);
        return;
      }
    }
    const outcome = await onePass(session, plan, counts, onMoved, options.signal);
    if (outcome === 'done' && attempt > 0 && all && counts.stoppedBecause === undefined) {
      // "All" after a loss: acks lost with the connection brought messages back; move what is still there.
      const ready = (await checkQueue(session, plan.queue)).messageCount;
      if (ready === 0 || extended++ >= maxReconnects) return;
      plan.total = counts.moved - counts.uncertain + ready;
      continue;
    }
    if (outcome === 'done' || counts.stoppedBecause !== undefined || counts.moved >= plan.total + counts.uncertain) return;
    if (options.signal?.aborted) {
      counts.stoppedBecause = `Cancelled after ${counts.moved} message(s)`;
      return;
    }
    if (attempt >= maxReconnects) {
      counts.stoppedBecause = `The connection to the broker was lost ${attempt + 1} times during the move; the messages not moved stay in the source`;
      return;
    }
    session.logger.info(`Moving from queue "${plan.queue}": the connection was lost after ${counts.moved} message(s); reconnecting.`);
    await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
  }
}

/**
 * The source's depth once the messages given back on the way out (unacked
 * when its channel closed, nacked) are counted again: the broker requeues
 * them a moment after the channel's close-ok. Waits up to a second for the
 * depth to reach `expected` (what the source held minus what moved); with
 * other producers or consumers on the queue, it reads what is there then.
 */
async function settledDepth(session: AmqpSession, queue: string, expected: number): Promise<number> {
  let depth = (await checkQueue(session, queue)).messageCount;
  for (let waited = 0; depth < expected && waited < 1_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    depth = (await checkQueue(session, queue)).messageCount;
  }
  return depth;
}

async function onePass(
  session: AmqpSession,
  plan: MovePlan,
  counts: MoveCounts,
  onMoved: () => void,
  signal: AbortSignal | undefined,
): Promise<'done' | 'lost'> {
  const what = `moving messages from queue "${plan.queue}"`;
  let model;
  try {
    model = (await session.openNodeConnection(`move ${plan.queue}`, signal ? { signal } : {})).model;
  } catch (err) {
    if (err instanceof BrokerError && !(err instanceof NotFoundError)) return 'lost';
    throw err;
  }
  try {
    const source = await session.openChannel(what, { model });
    const target = await session.openChannel(what, { model, confirm: true });
    const pass = new MovePass(source, target, plan, counts, onMoved);
    const outcome = await pass.start(signal);
    await source.close();
    await target.close();
    return outcome;
  } catch (err) {
    throw session.describe(what, err);
  } finally {
    await closeQuietly(model);
  }
}
