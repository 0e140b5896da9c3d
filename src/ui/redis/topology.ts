/**
 * The servers behind a Redis profile as the ui shows them: read through the
 * profile's session (connections closed after), and their text (role,
 * slot ranges, state, memory, keys) for the tree and the nodes command.
 */
import * as vscode from 'vscode';
import type { RedisPool } from '../../core/redis/pool';
import { slotMapFromReply } from '../../core/redis/slotMap';
import { keySlot } from '../../core/redis/hashSlot';
import { listNodes, type Topology, type TopologyNode } from '../../core/redis/topologyNodes';
import { formatBytes as bytesText, formatCount } from '../../core/units';

/** The profile's nodes, read now. */
export async function loadTopology(pool: RedisPool, profileName: string): Promise<Topology> {
  const session = await pool.session(profileName);
  const client = await session.resp('nodes', 0);
  try {
    return await listNodes(client);
  } finally {
    client.close();
  }
}

/** "0-5460, 10923" */
export function slotRanges(slots: readonly [number, number][] | undefined): string {
  return (slots ?? []).map(([from, to]) => (from === to ? String(from) : `${from}-${to}`)).join(', ');
}

/** Bytes as "1.20 MiB", or "?" when the node did not say. */
export function formatBytes(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '?' : bytesText(n);
}

/** One node as text: role, slots or primary, link state and figures. */
export function describeNode(n: TopologyNode): string {
  const where =
    n.role === 'primary' && n.slots
      ? vscode.l10n.t('slots {0}', slotRanges(n.slots) || vscode.l10n.t('none'))
      : n.primary
        ? vscode.l10n.t('of {0}', n.primary)
        : '';
  const figures = n.role === 'sentinel' || n.usedMemory === undefined ? '' : `${formatBytes(n.usedMemory)} · ${keysText(n.keys)}`;
  return [n.role, where, n.connected ? vscode.l10n.t('connected') : vscode.l10n.t('not connected'), figures].filter(Boolean).join(' · ');
}

/** Keys held by the primaries (each key counted once). */
export function primaryKeys(topology: Topology): number {
  return topology.nodes.filter((n) => n.role === 'primary').reduce((sum, n) => sum + (n.keys ?? 0), 0);
}

export function keysText(n: number | undefined): string {
  if (n === undefined) return vscode.l10n.t('? keys');
  return n === 1 ? vscode.l10n.t('{0} key', formatCount(n)) : vscode.l10n.t('{0} keys', formatCount(n));
}

/** A key's hash slot and the primary serving it now (CLUSTER SLOTS asked on a connection of its own, closed after). */
export async function keyLocation(pool: RedisPool, profileName: string, key: Buffer): Promise<{ slot: number; node: string | undefined }> {
  const slot = keySlot(key);
  const session = await pool.session(profileName);
  const client = await session.resp('slots', 0);
  try {
    const reply = await client.send([Buffer.from('CLUSTER'), Buffer.from('SLOTS')]);
    return { slot, node: slotMapFromReply(reply, { host: client.profile.host, port: client.profile.port }).nodeOf(slot) };
  } finally {
    client.close();
  }
}
