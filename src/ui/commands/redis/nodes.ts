/**
 * brokerExplorer.redis.nodes: the servers behind a Redis profile (cluster
 * primaries and replicas with their slots, a Sentinel set's primary,
 * replicas and sentinels, or the one server), with used memory and keys.
 */
import * as vscode from 'vscode';
import { describeNode, keysText, loadTopology, primaryKeys } from '../../redis/topology';
import type { CommandCall, CommandSpec } from '../registry';
import { resolveTarget, type RedisUiDeps } from './redisTarget';

async function nodes(deps: RedisUiDeps, call: CommandCall): Promise<unknown> {
  const t = await resolveTarget(deps, call, vscode.l10n.t('Redis Nodes'), false);
  const topology = await loadTopology(deps.pool, t.profile.name);
  if (call.args) return topology;
  const lines = topology.nodes.map((n) => `${n.address.padEnd(22)} ${describeNode(n)}${n.error ? ` (${n.error})` : ''}`);
  const head = `# ${vscode.l10n.t('{0} ({1}): {2} on the primaries', t.profile.name, topology.mode, keysText(primaryKeys(topology)))}`;
  await deps.results.show(vscode.l10n.t('Redis nodes of {0}', t.profile.name), [head, ...lines].join('\n'));
  return undefined;
}

export function redisNodesCommands(deps: RedisUiDeps): CommandSpec[] {
  return [{ id: 'brokerExplorer.redis.nodes', run: (call) => nodes(deps, call) }];
}
