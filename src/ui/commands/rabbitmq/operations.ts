/**
 * Broker operations: the list kinds beyond vhosts / exchanges / queues
 * (connections, channels, consumers, policies, users), the overview,
 * "Close Connection…" (a reason, asks first), "Copy Name" and "Open in
 * Management UI".
 */
import * as vscode from 'vscode';
import { brokerOverview, type BrokerOverview } from '../../../core/amqp/managementBrowse';
import type { ConnectionInfo } from '../../../core/amqp/managementTypes';
import { InputError } from '../../../core/errors';
import { formatCount } from '../../../core/units';
import { BindingNode, ExchangeNode, QueueNode } from '../../tree/rabbitItems';
import { ActivityItem } from '../../tree/rabbitActivityNodes';
import { ClusterNodeItem } from '../../tree/rabbitClusterNodes';
import { RabbitProfileNode, VhostNode } from '../../tree/rabbitNodes';
import type { TreeNode } from '../../tree/treeNode';
import { bool, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { target, where, type RabbitDeps, type Target } from './common';

function overviewText(t: Target, o: BrokerOverview): string {
  const totals = (r: Record<string, number>): string =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${formatCount(v)}`)
      .join(' · ');
  const alarms = vscode.l10n.t('alarms');
  return [
    vscode.l10n.t(
      'RabbitMQ {0} (Erlang {1}) · cluster "{2}" · answered by {3} for profile "{4}"',
      o.rabbitmqVersion ?? '?',
      o.erlangVersion ?? '?',
      o.clusterName ?? '?',
      o.node ?? '?',
      t.profile.name,
    ),
    '',
    `${vscode.l10n.t('objects').padEnd(10)}${totals(o.objectTotals)}`,
    `${vscode.l10n.t('messages').padEnd(10)}${totals(o.queueTotals)}`,
    '',
    vscode.l10n.t('listeners'),
    ...o.listeners.map((l) => `  ${l.protocol.padEnd(12)} ${l.ipAddress}:${l.port}  (${l.node})`),
    '',
    o.alarms.length === 0 ? `${alarms.padEnd(10)}${vscode.l10n.t('none')}` : alarms,
    ...o.alarms.map((a) => `  ⚠ ${a}`),
    '',
  ].join('\n');
}

async function doOverview(deps: RabbitDeps, call: CommandCall): Promise<BrokerOverview> {
  const t = await target(deps, call);
  const o = await brokerOverview(t.session.management());
  if (call.interactive) {
    await deps.documents.show(`${t.profile.name} overview.txt`, overviewText(t, o));
    if (o.alarms.length > 0)
      void vscode.window.showWarningMessage(vscode.l10n.t('RabbitMQ "{0}": {1}.', t.profile.name, o.alarms.join('; ')));
  }
  return o;
}

async function pickConnection(t: Target, call: CommandCall): Promise<string> {
  const page = await t.session.management().listConnections({ vhost: t.vhost, pageSize: 500 });
  if (page.items.length === 0) throw new InputError(vscode.l10n.t('There are no connections to {0}.', where(t)));
  const picked = await call.prompts.pick(
    page.items.map((c) => ({ label: c.clientName ?? c.name, description: `${c.user} · ${c.name}`, name: c.name })),
    { title: vscode.l10n.t('Close which connection to {0}?', where(t)), matchOnDescription: true },
  );
  return picked.name;
}

async function doCloseConnection(deps: RabbitDeps, call: CommandCall): Promise<Record<string, never>> {
  const t = await target(deps, call);
  let name: string;
  let reason: string;
  if (call.args) {
    name = str(call.args, 'name', true);
    reason = str(call.args, 'reason') ?? vscode.l10n.t('closed from Broker Explorer');
  } else {
    t.session.assertWritable(vscode.l10n.t('closing a connection'));
    const node = call.node;
    name =
      node instanceof ActivityItem && node.list.kind === 'connections' ? (node.info as ConnectionInfo).name : await pickConnection(t, call);
    reason = await call.prompts.ask(vscode.l10n.t('Reason (the client is told)'), { value: vscode.l10n.t('closed from Broker Explorer') });
    await call.prompts.confirm(
      vscode.l10n.t('Close connection "{0}" on "{1}"?', name, t.profile.name),
      vscode.l10n.t('Close Connection'),
      vscode.l10n.t('The client is told: {0}', reason),
    );
  }
  await t.session.management().closeConnection(name, { reason });
  if (call.node instanceof ActivityItem) deps.tree.refresh(call.node.list);
  return {};
}

/** The queue or exchange a call is about: a tree node, or `queue` / `exchange` arguments. */
function entityOf(call: CommandCall): { kind: 'queue' | 'exchange'; name: string } | undefined {
  if (call.node instanceof QueueNode) return { kind: 'queue', name: call.node.info.name };
  if (call.node instanceof ExchangeNode) return { kind: 'exchange', name: call.node.info.name };
  const queue = call.args ? str(call.args, 'queue') : undefined;
  const exchange = call.args ? str(call.args, 'exchange') : undefined;
  if (queue !== undefined) return { kind: 'queue', name: queue };
  if (exchange !== undefined) return { kind: 'exchange', name: exchange };
  return undefined;
}

type NamedKind = 'queue' | 'exchange' | 'vhost' | 'profile' | 'routing key' | 'connection' | 'channel' | 'consumer tag' | 'policy' | 'node';

const ACTIVITY_KINDS = { connections: 'connection', channels: 'channel', consumers: 'consumer tag', policies: 'policy' } as const;

/** The name "Copy Name" takes from any RabbitMQ item: a queue, an exchange, a vhost, a binding's routing key, a connection, … */
function itemName(node: TreeNode | undefined): { kind: NamedKind; name: string } | undefined {
  if (node instanceof QueueNode) return { kind: 'queue', name: node.info.name };
  if (node instanceof ExchangeNode) return { kind: 'exchange', name: node.info.name };
  if (node instanceof VhostNode) return { kind: 'vhost', name: node.vhost };
  if (node instanceof RabbitProfileNode) return { kind: 'profile', name: node.profile.name };
  if (node instanceof BindingNode) return { kind: 'routing key', name: node.binding.routingKey };
  if (node instanceof ActivityItem) return { kind: ACTIVITY_KINDS[node.list.kind], name: node.name };
  if (node instanceof ClusterNodeItem) return { kind: 'node', name: node.info.name };
  return undefined;
}

/** The status bar line after copying one name: `Copied queue name "orders"`. */
function copiedText(kind: NamedKind, name: string): string {
  switch (kind) {
    case 'queue':
      return vscode.l10n.t('Copied queue name "{0}"', name);
    case 'exchange':
      return vscode.l10n.t('Copied exchange name "{0}"', name);
    case 'vhost':
      return vscode.l10n.t('Copied vhost name "{0}"', name);
    case 'profile':
      return vscode.l10n.t('Copied profile name "{0}"', name);
    case 'routing key':
      return vscode.l10n.t('Copied routing key name "{0}"', name);
    case 'connection':
      return vscode.l10n.t('Copied connection name "{0}"', name);
    case 'channel':
      return vscode.l10n.t('Copied channel name "{0}"', name);
    case 'consumer tag':
      return vscode.l10n.t('Copied consumer tag name "{0}"', name);
    case 'policy':
      return vscode.l10n.t('Copied policy name "{0}"', name);
    case 'node':
      return vscode.l10n.t('Copied node name "{0}"', name);
  }
}

async function doCopyName(call: CommandCall): Promise<{ name: string }> {
  const nodes = call.nodes && call.nodes.length > 1 ? call.nodes : [call.node];
  const items = nodes.map(itemName).filter((x): x is { kind: NamedKind; name: string } => x !== undefined);
  const entity = items.length > 0 ? undefined : entityOf(call);
  if (entity) items.push(entity);
  if (items.length === 0)
    throw new InputError(vscode.l10n.t('Copy Name needs a RabbitMQ item: run it on one in the tree, or give "queue" or "exchange".'));
  const text = items.map((i) => i.name).join('\n');
  await vscode.env.clipboard.writeText(text);
  if (call.interactive)
    vscode.window.setStatusBarMessage(
      `$(copy) ${items.length === 1 ? copiedText(items[0].kind, items[0].name) : vscode.l10n.t('Copied {0} names', formatCount(items.length))}`,
      3000,
    );
  return { name: text };
}

/** The management UI's page of a queue, an exchange, a vhost or a connection. */
export function managementPage(
  base: string,
  vhost: string,
  item: { kind: 'queue' | 'exchange' | 'vhost' | 'connection'; name: string },
): string {
  const root = base.replace(/\/+$/, '');
  const e = encodeURIComponent;
  switch (item.kind) {
    case 'queue':
      return `${root}/#/queues/${e(vhost)}/${e(item.name)}`;
    case 'exchange':
      return `${root}/#/exchanges/${e(vhost)}/${e(item.name === '' ? 'amq.default' : item.name)}`;
    case 'vhost':
      return `${root}/#/vhosts/${e(item.name)}`;
    case 'connection':
      return `${root}/#/connections/${e(item.name)}`;
  }
}

async function doOpenInManagement(deps: RabbitDeps, call: CommandCall): Promise<{ url: string }> {
  const t = await target(deps, call);
  const connection = call.args ? str(call.args, 'connection') : undefined;
  const entity = entityOf(call);
  const item =
    entity ?? (connection !== undefined ? { kind: 'connection' as const, name: connection } : { kind: 'vhost' as const, name: t.vhost });
  if (call.node instanceof VhostNode) item.name = call.node.vhost;
  const url = managementPage(t.session.management().activeManagementUrl, t.vhost, item);
  const open = call.args ? (bool(call.args, 'open') ?? true) : true;
  if (open) await vscode.env.openExternal(vscode.Uri.parse(url, true));
  return { url };
}

export function rabbitOperationCommands(deps: RabbitDeps): CommandSpec[] {
  return [
    { id: 'brokerExplorer.rabbitmq.overview', run: (call) => doOverview(deps, call) },
    { id: 'brokerExplorer.rabbitmq.closeConnection', run: (call) => doCloseConnection(deps, call) },
    { id: 'brokerExplorer.rabbitmq.copyName', run: (call) => doCopyName(call) },
    { id: 'brokerExplorer.rabbitmq.openInManagementUI', run: (call) => doOpenInManagement(deps, call) },
  ];
}
