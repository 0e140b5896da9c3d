/**
 * The client a Redis session hands out: one ioredis `Redis` (a standalone
 * server, or the primary a Sentinel set names) or an ioredis `Cluster`.
 * Both route commands by themselves; what differs (every primary, a key's
 * slot and owner) is answered here.
 */
import * as l10n from '@vscode/l10n';
import { Cluster, type Redis } from 'ioredis';
import { InputError } from '../errors';
import { endpoint } from '../profiles';
import { keySlot } from './hashSlot';

export type RedisClient = Redis | Cluster;

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** `host:port` of one node connection, as ioredis' cluster slot map names it. */
export function nodeAddress(node: Redis): string {
  return `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;
}

/** `host:port` of the server a connection is connected to now (after a sentinel failover, the new primary); undefined when not connected. */
export function connectedAddress(client: Redis): string | undefined {
  const stream = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  return stream?.remoteAddress && stream.remotePort ? endpoint({ host: stream.remoteAddress, port: stream.remotePort }) : undefined;
}

/** The primaries of a cluster (as ioredis knows them now); the client itself otherwise. */
export function primariesOf(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

/** The `host:port` of the primary that owns a slot in ioredis' slot map, if it knows one. */
export function slotOwner(cluster: Cluster, slot: number): string | undefined {
  return cluster.slots[slot]?.[0];
}

/** Keys grouped by hash slot, in first-seen order, so a multi-key command never spans slots (no CROSSSLOT). */
export function groupBySlot<T extends Buffer | string>(keys: readonly T[]): T[][] {
  const groups = new Map<number, T[]>();
  for (const key of keys) {
    const slot = keySlot(key);
    const group = groups.get(slot);
    if (group) group.push(key);
    else groups.set(slot, [key]);
  }
  return [...groups.values()];
}

/** Waits for a cluster to refresh its slot map from the nodes (after a failover). */
export function refreshSlots(cluster: Cluster): Promise<void> {
  return new Promise((resolve, reject) => cluster.refreshSlotsCache((err) => (err ? reject(err) : resolve())));
}

/** The client as one server's connection; a Cluster is refused (a caller that reaches here on a cluster named no node). */
export function oneServer(client: RedisClient): Redis {
  if (isCluster(client))
    throw new InputError(l10n.t('This works on one server at a time: on a Redis Cluster profile, name the node ("node": "host:port").'));
  return client;
}
