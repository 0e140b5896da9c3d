/**
 * brokerExplorer.redis.nodes: the servers behind a Redis profile (cluster
 * primaries and replicas with their slots, a Sentinel set's primary,
 * replicas and sentinels, or the one server), with used memory and keys.
 */
import { describeNode, keysText, loadTopology, primaryKeys } from '../../redis/topology';
import type { CommandCall, CommandSpec } from '../registry';
import { resolveTarget, type RedisUiDeps } from './redisTarget';

async function nodes(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveTarget(deps, call, 'Redis Nodes', false);
  const topology = await loadTopology(deps.pool, t.profile.name);
  if (call.args) return topology;
  const lines = topology.nodes.map((n) => `${n.address.padEnd(22)} ${describeNode(n)}${n.error ? ` (${n.error})` : ''}`);
  const head = `# ${t.profile.name} (${topology.mode}): ${keysText(primaryKeys(topology))} on the primaries`;
  await deps.results.show(`Redis nodes of ${t.profile.name}`, [head, ...lines].join('\n'));
  return undefined;
}

export function redisNodesCommands(deps: RedisUiDeps): CommandSpec[] {
  return [{ id: 'brokerExplorer.redis.nodes', run: (call) => nodes(deps, call) }];
}
