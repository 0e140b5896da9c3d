/**
 * The connection typed-in commands run on, for any topology: one RESP
 * client (standalone; Sentinel's current primary), or on a Redis Cluster a
 * router over one RESP client per node.
 */
import * as l10n from '@vscode/l10n';
import { InputError } from '../errors';
import { ClusterRouter, type ClusterRouterOptions } from './clusterRouter';
import { CommandError } from './reply';
import type { CommandChannel } from './scriptSink';
import type { RedisSession } from './session';

/**
 * Opens the session's command connection for `purpose` (the console, a
 * run, a pipeline); the caller closes it. `options` (redirect reporting, the
 * console's current node) apply on a cluster only.
 */
export async function openCommandChannel(
  session: RedisSession,
  purpose: string,
  options: Omit<ClusterRouterOptions, 'catalog'> = {},
  signal?: AbortSignal,
): Promise<CommandChannel> {
  const client = await session.resp(purpose, session.db, signal);
  if (session.profile.mode !== 'cluster') return client;
  return ClusterRouter.open(client, {
    ...options,
    catalog: () => session.catalog().catch(() => undefined),
    ...(options.followRedirects && options.defaultNode === undefined ? { defaultNode: client.address } : {}),
  });
}

/**
 * FLUSHDB on every primary of a Redis Cluster profile (a read-only profile
 * is refused before anything is sent); the primaries flushed. One sentence
 * naming the node when one refuses.
 */
export async function flushEveryPrimary(session: RedisSession): Promise<{ flushed: string[] }> {
  session.assertWritable('FLUSHDB');
  if (session.profile.mode !== 'cluster')
    throw new InputError(l10n.t('Redis profile "{0}" is not a Redis Cluster: flush its database by number instead.', session.profile.name));
  const router = await openCommandChannel(session, 'flush');
  try {
    if (!(router instanceof ClusterRouter))
      throw new InputError(l10n.t('Redis profile "{0}" is not a Redis Cluster.', session.profile.name));
    const replies = await router.sendAll([Buffer.from('FLUSHDB'), Buffer.from('ASYNC')]);
    for (const [node, reply] of replies) {
      if (reply.type === 'error')
        throw new CommandError(
          l10n.t(
            'FLUSHDB on {0} of Redis Cluster profile "{1}" was refused: {2}. The other primaries were flushed.',
            node,
            session.profile.name,
            reply.message,
          ),
          reply,
        );
    }
    return { flushed: [...replies.keys()] };
  } finally {
    router.close();
  }
}
