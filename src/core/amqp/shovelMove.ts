/**
 * The server-side route of a move: a dynamic shovel (the rabbitmq_shovel
 * plugin) created through the management API for this one run, from the
 * source queue to the target queue or exchange, with `ack-mode:
 * on-confirm` (the source message is acked only after the target confirmed
 * it, so nothing is lost) and `src-delete-after` (the count, or the queue's
 * length when the shovel starts). The run polls the shovel and the source's
 * depth until the shovel has deleted itself, the source ran dry, it stopped,
 * or the caller cancelled; the shovel is always deleted at the end. Moved
 * counts come from the queue depths: what left the source; with a target
 * queue, copies that arrived beyond that (a shovel stopped mid-run gives
 * back messages it had already copied) are counted as possible duplicates.
 *
 * What it cannot do, said in the result or refused up front: replaying dead
 * letters (every message has its own route; a shovel has one); marking the
 * copies with `x-be-move-id` (a shovel cannot add headers before RabbitMQ 4);
 * keeping an unroutable message in the source (a shovel publishes without
 * `mandatory`), so a target exchange whose binding routes the key nowhere,
 * or a headers exchange, is refused before anything moves.
 */
import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import { InputError, NotFoundError, PreconditionError, errorMessage, sentence } from '../errors';
import type { AmqpSession } from './amqpSession';
import type { ManagementClient } from './managementClient';
import { encodeName } from './managementHttp';
import { isObject, replyItems } from './managementTypes';
import { checkTargetExists, describeRoute, type MoveArgs, type MoveProgress, type MoveResult, type Target } from './moveTarget';
import { testRoute } from './routeTester';
import { checkQueue } from './topology';

export interface ShovelMoveOptions {
  signal?: AbortSignal;
  onProgress?: (progress: MoveProgress) => void;
  /** End when the source is empty and its depth did not change for this long (default 2,000 ms). */
  idleMs?: number;
  /** Give up when the depth did not change for this long while messages wait (default 30,000 ms). */
  stallMs?: number;
  /** Between two looks at the shovel and the depth (default 200 ms). */
  pollMs?: number;
}

/** The shovel of one run: its name, and its management paths. */
interface RunShovel {
  name: string;
  parameterPath: string;
  statusPath: string;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Why this target cannot take a shovel's copies (a sentence without its
 * final period), or undefined when it can: an exchange must route the
 * routing key to at least one queue, and not decide by headers.
 */
async function unroutableBecause(
  m: ManagementClient,
  vhost: string,
  target: Target,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const route = target.fixed;
  if (!route || route.exchange === '') return undefined;
  const opts = signal ? { signal } : {};
  const exchange = await m.getExchange(vhost, route.exchange, opts);
  if (exchange.type === 'headers')
    return l10n.t(
      'Exchange "{0}" routes by headers, so whether each copy reaches a queue cannot be checked before a shovel sends it, and a shovel drops what does not route; nothing was moved: use route "client", which keeps unroutable messages in the source',
      route.exchange,
    );
  const reached = await testRoute(m, vhost, { exchange: route.exchange, routingKey: route.routingKey }, opts);
  if (reached.queues.length === 0)
    return l10n.t(
      'Exchange "{0}" routes the routing key "{1}" to no queue, and a shovel drops what does not route, so nothing was moved: bind a queue, or use route "client"',
      route.exchange,
      route.routingKey,
    );
  return undefined;
}

function shovelValue(
  session: AmqpSession,
  queue: string,
  route: { exchange: string; routingKey: string },
  count: number | undefined,
): Record<string, unknown> {
  const uri = `amqp:///${encodeURIComponent(session.vhost)}`;
  const value: Record<string, unknown> = {
    'src-protocol': 'amqp091',
    'src-uri': uri,
    'src-queue': queue,
    'src-delete-after': count ?? 'queue-length',
    'dest-protocol': 'amqp091',
    'dest-uri': uri,
    'ack-mode': 'on-confirm',
    'dest-add-forward-headers': false,
  };
  if (route.exchange === '') value['dest-queue'] = route.routingKey;
  else {
    value['dest-exchange'] = route.exchange;
    value['dest-exchange-key'] = route.routingKey;
  }
  return value;
}

/** The shovel's state and, when it stopped, why ("running", "starting", "terminated"); undefined once it is gone. */
async function shovelStatus(
  m: ManagementClient,
  shovel: RunShovel,
  vhost: string,
): Promise<{ state: string; reason?: string } | undefined> {
  const reply = await m.request(
    { path: shovel.statusPath, what: l10n.t('reading the state of shovel "{0}" in vhost "{1}"', shovel.name, vhost) },
    { accept: [404] },
  );
  const mine = replyItems(reply.body).find((s) => s.name === shovel.name);
  if (!mine) return undefined;
  const state = typeof mine.state === 'string' ? mine.state : 'unknown';
  const reason = mine.reason ?? (isObject(mine.info) ? mine.info.reason : undefined);
  return reason === undefined ? { state } : { state, reason: typeof reason === 'string' ? reason : JSON.stringify(reason) };
}

async function parameterExists(m: ManagementClient, shovel: RunShovel, vhost: string): Promise<boolean> {
  const reply = await m.request(
    { path: shovel.parameterPath, what: l10n.t('reading shovel "{0}" in vhost "{1}"', shovel.name, vhost) },
    { accept: [404] },
  );
  return reply.status !== 404;
}

/** Deletes the run's shovel (gone already is fine) and waits until the broker no longer runs it. */
async function removeShovel(m: ManagementClient, shovel: RunShovel, vhost: string): Promise<void> {
  await m.request(
    { method: 'DELETE', path: shovel.parameterPath, what: l10n.t('deleting shovel "{0}" in vhost "{1}"', shovel.name, vhost) },
    { accept: [404] },
  );
  for (let waited = 0; waited < 5_000; waited += 100) {
    if ((await shovelStatus(m, shovel, vhost)) === undefined) return;
    await sleep(100, undefined);
  }
}

/**
 * The source's depth once the broker has requeued what the deleted shovel
 * held unacked (a moment after it stops): unchanged for 300 ms, or what it
 * is after 3 s (other producers or consumers keep changing it).
 */
async function stableDepth(session: AmqpSession, queue: string): Promise<number> {
  let depth = (await checkQueue(session, queue)).messageCount;
  let since = Date.now();
  for (const started = Date.now(); Date.now() - since < 300 && Date.now() - started < 3_000;) {
    await sleep(50, undefined);
    const now = (await checkQueue(session, queue)).messageCount;
    if (now !== depth) {
      depth = now;
      since = Date.now();
    }
  }
  return depth;
}

/** Moves with a dynamic shovel; `args.queue`, `target` and `count` are already checked. */
export async function shovelMove(
  session: AmqpSession,
  args: MoveArgs,
  target: Target,
  count: number | undefined,
  options: ShovelMoveOptions = {},
): Promise<MoveResult> {
  const queue = args.queue;
  const route = target.fixed;
  if (!route)
    throw new InputError(
      l10n.t(
        'Replaying dead letters cannot run as a shovel: each message goes back to its own exchange and routing key, and a shovel sends all of them to one; use route "client".',
      ),
    );
  session.assertWritable(l10n.t('moving messages from queue "{0}" to {1} with a shovel', queue, target.label));
  const signal = options.signal;
  const opts = signal ? { signal } : {};
  const m = session.management();
  if (!(await m.shovelPluginEnabled(opts)))
    throw new PreconditionError(
      l10n.t(
        'Moving with a shovel needs the dynamic shovel plugin (rabbitmq_shovel and rabbitmq_shovel_management), which is not enabled on profile "{0}": enable it on the broker, or use route "client".',
        session.profile.name,
      ),
    );
  const depth = (await checkQueue(session, queue, opts)).messageCount;
  await checkTargetExists(session, target, signal);
  const moveId = randomUUID();
  const name = `be-move-${moveId}`;
  const base: MoveResult = { route: 'shovel', moved: 0, kept: depth, moveId, copiesMarked: false, shovel: name };
  const refused = await unroutableBecause(m, session.vhost, target, signal);
  if (refused !== undefined) return { ...base, stoppedBecause: sentence(refused) };
  const total = count ?? depth;
  if (total === 0) return base;
  const targetDepth = (): Promise<number | undefined> =>
    route.exchange === '' ? checkQueue(session, route.routingKey).then((q) => q.messageCount) : Promise.resolve(undefined);
  const arrivedBefore = await targetDepth();
  const v = encodeName(session.vhost);
  const shovel: RunShovel = { name, parameterPath: `/api/parameters/shovel/${v}/${encodeName(name)}`, statusPath: `/api/shovels/${v}` };
  await m.request(
    {
      method: 'PUT',
      path: shovel.parameterPath,
      body: { value: shovelValue(session, queue, route, count) },
      what: l10n.t('creating shovel "{0}" from queue "{1}" to {2} in vhost "{3}"', name, queue, describeRoute(route), session.vhost),
      notFound: l10n.t('vhost "{0}"', session.vhost),
    },
    { vhost: session.vhost },
  );
  let stoppedBecause: string | undefined;
  try {
    stoppedBecause = await watch(session, m, shovel, { queue, depth, total }, options);
  } finally {
    await removeShovel(m, shovel, session.vhost).catch((err: unknown) =>
      session.logger.warn(`Deleting shovel "${name}" failed: ${errorMessage(err)}; delete it in the management UI.`),
    );
  }
  const kept = await stableDepth(session, queue);
  const moved = Math.max(0, Math.min(total, depth - kept));
  const result: MoveResult = { ...base, moved, kept };
  // A shovel stopped mid-run gives back messages it had already copied: more arrive than left the source.
  const arrivedAfter = await targetDepth().catch(() => undefined);
  if (arrivedBefore !== undefined && arrivedAfter !== undefined && arrivedAfter - arrivedBefore > moved)
    result.possibleDuplicates = arrivedAfter - arrivedBefore - moved;
  if (stoppedBecause !== undefined)
    result.stoppedBecause = l10n.t(
      '{0}. Moved {1} from queue "{2}" on profile "{3}"; {4} remain there.',
      stoppedBecause,
      moved,
      queue,
      session.profile.name,
      kept,
    );
  return result;
}

/** Polls until the shovel is done; the reason it stopped early, if it did. */
async function watch(
  session: AmqpSession,
  m: ManagementClient,
  shovel: RunShovel,
  run: { queue: string; depth: number; total: number },
  options: ShovelMoveOptions,
): Promise<string | undefined> {
  const idleMs = options.idleMs ?? 2_000;
  const stallMs = options.stallMs ?? 30_000;
  const pollMs = options.pollMs ?? 200;
  let last = run.depth;
  let changedAt = Date.now();
  for (;;) {
    await sleep(pollMs, options.signal);
    if (options.signal?.aborted) return l10n.t('Cancelled; the shovel was deleted');
    if (!(await parameterExists(m, shovel, session.vhost))) return undefined; // done: src-delete-after removed it
    const status = await shovelStatus(m, shovel, session.vhost);
    if (status?.state === 'terminated')
      return status.reason !== undefined
        ? l10n.t('The shovel stopped ({0}); the rest stay in the source', status.reason)
        : l10n.t('The shovel stopped; the rest stay in the source');
    let now: number;
    try {
      now = (await checkQueue(session, run.queue)).messageCount;
    } catch (err) {
      if (err instanceof NotFoundError) return l10n.t('Queue "{0}" was deleted while its messages were moved', run.queue);
      throw err;
    }
    options.onProgress?.({ moved: Math.max(0, Math.min(run.total, run.depth - now)), total: run.total });
    if (now !== last) {
      last = now;
      changedAt = Date.now();
    } else if (now === 0 && Date.now() - changedAt >= idleMs)
      return undefined; // the source ran dry before the count
    else if (Date.now() - changedAt >= stallMs)
      return l10n.t('The shovel moved nothing for {0} s (state {1})', Math.round(stallMs / 1000), status?.state ?? 'unknown');
  }
}
