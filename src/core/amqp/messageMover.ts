/**
 * `brokerExplorer.rabbitmq.moveMessages`: move messages from a queue to an
 * exchange (with a routing key), to another queue (through the default
 * exchange), or back where they were first published (replaying dead
 * letters), without losing any. See movePass.ts for how one pass works; this
 * file checks the input, runs passes on a connection of its own (reconnecting
 * after a loss, to any node of the profile) and counts.
 */
import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import type { Message } from 'amqplib';
import { BrokerError, NotFoundError, errorMessage } from '../errors';
import { closeQuietly } from './amqpConnection';
import type { AmqpSession } from './amqpSession';
import { checkShortString } from './amqpTable';
import { deadLetterRoute, type MoveRoute } from './deadLetters';
import {
  checkCount,
  checkRouteKind,
  checkTarget,
  checkTargetExists,
  describeRoute,
  settledDepth,
  type MoveArgs,
  type MoveProgress,
  type MoveResult,
  type Target,
} from './moveTarget';
import { MovePass, type MoveCounts, type MovePlan } from './movePass';
import { shovelMove } from './shovelMove';
import { checkQueue } from './topology';

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

/** Moves messages; never loses one (see the file comment). Refused on read-only profiles before anything is sent. */
export async function moveMessages(session: AmqpSession, args: MoveArgs, options: MoveOptions = {}): Promise<MoveResult> {
  const queue = checkShortString(args.queue, l10n.t('source queue name'));
  const target = checkTarget(args);
  const count = checkCount(args.count);
  if (checkRouteKind(args.route) === 'shovel') return shovelMove(session, { ...args, queue }, target, count, options);
  session.assertWritable(l10n.t('moving messages from queue "{0}" to {1}', queue, target.label));
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
  const result: MoveResult = { route: 'client', moved: counts.moved, kept, moveId: plan.moveId, copiesMarked: true };
  if (counts.possibleDuplicates > 0) result.possibleDuplicates = counts.possibleDuplicates;
  if (counts.stoppedBecause !== undefined)
    result.stoppedBecause = l10n.t(
      '{0}. Moved {1} from queue "{2}" on profile "{3}"; {4} remain there.',
      counts.stoppedBecause,
      counts.moved,
      queue,
      session.profile.name,
      kept,
    );
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
      counts.stoppedBecause = l10n.t('Cancelled after {0} message(s)', counts.moved);
      return;
    }
    if (attempt >= maxReconnects) {
      counts.stoppedBecause = l10n.t(
        'The connection to the broker was lost {0} times during the move; the messages not moved stay in the source',
        attempt + 1,
      );
      return;
    }
    session.logger.info(`Moving from queue "${plan.queue}": the connection was lost after ${counts.moved} message(s); reconnecting.`);
    await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
  }
}

async function onePass(
  session: AmqpSession,
  plan: MovePlan,
  counts: MoveCounts,
  onMoved: () => void,
  signal: AbortSignal | undefined,
): Promise<'done' | 'lost'> {
  const what = l10n.t('moving messages from queue "{0}"', plan.queue);
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
