/**
 * The connection typed-in commands run on, for any topology: one RESP
 * client (standalone; Sentinel's current primary), or on a Redis Cluster a
 * router over one RESP client per node.
 */
import { ClusterRouter, type ClusterRouterOptions } from './clusterRouter';
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
