/**
 * The command connection of a run (runCommand, pipelines, `.redis` files)
 * with redirects noted in the extension's log, and on a cluster the
 * palette's question "which node?" for a command without a key.
 */
import * as vscode from 'vscode';
import { ClusterRouter } from '../../core/redis/clusterRouter';
import { openCommandChannel } from '../../core/redis/commandChannel';
import type { CommandChannel } from '../../core/redis/scriptSink';
import type { RedisSession } from '../../core/redis/session';
import type { Logger } from '../../core/logger';
import type { Prompts } from '../prompts';

/** Opens the session's command connection; every MOVED / ASK followed is written to the log. */
export function openLoggedChannel(session: RedisSession, purpose: string, log: Logger): Promise<CommandChannel> {
  return openCommandChannel(session, purpose, {
    onRedirect: (r) =>
      log.info(`Redis "${session.profile.name}": ${r.kind.toUpperCase()} — redirected to slot [${r.slot}] located at ${r.address}`),
  });
}

/** `node` for a keyless command typed in the palette on a cluster: the user picks a node or "all"; undefined elsewhere. */
export async function askNodeIfKeyless(channel: CommandChannel, argv: readonly Buffer[], prompts: Prompts): Promise<string | undefined> {
  if (!(channel instanceof ClusterRouter)) return undefined;
  const route = await channel.route(argv, undefined, true);
  if (route.address !== '') return undefined;
  const map = channel.slots;
  const ranges = new Map<string, string>();
  for (const r of map.ranges) ranges.set(r.primary, [ranges.get(r.primary), `${r.from}-${r.to}`].filter(Boolean).join(', '));
  const items = [
    {
      label: vscode.l10n.t('All primaries'),
      description: vscode.l10n.t('{0} nodes, one reply each', map.primaries().length),
      node: 'all',
    },
    ...map.primaries().map((a) => ({ label: a, description: vscode.l10n.t('primary · slots {0}', ranges.get(a) ?? '–'), node: a })),
    ...map.replicas().map((a) => ({
      label: a,
      description: vscode.l10n.t('replica of {0}', map.ranges.find((r) => r.replicas.includes(a))?.primary ?? '?'),
      node: a,
    })),
  ];
  const name = argv[0]?.toString('utf8').toUpperCase() ?? '';
  const picked = await prompts.pick(items, {
    title: vscode.l10n.t('{0} has no key: which node of the cluster?', name),
    matchOnDescription: true,
  });
  return picked.node;
}
