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
import { ExchangeNode, QueueNode } from '../../tree/rabbitItems';
import { ActivityItem } from '../../tree/rabbitActivityNodes';
import { VhostNode } from '../../tree/rabbitNodes';
import { bool, str } from '../args';
import type { CommandCall, CommandSpec } from '../registry';
import { target, where, type RabbitDeps, type Target } from './common';

function overviewText(t: Target, o: BrokerOverview): string {
  const totals = (r: Record<string, number>): string =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
      .join(' · ');
  return [
    `RabbitMQ ${o.rabbitmqVersion ?? '?'} (Erlang ${o.erlangVersion ?? '?'}) · cluster "${o.clusterName ?? '?'}" · answered by ${o.node ?? '?'} for profile "${t.profile.name}"`,
    '',
    `objects   ${totals(o.objectTotals)}`,
    `messages  ${totals(o.queueTotals)}`,
    '',
    'listeners',
    ...o.listeners.map((l) => `  ${l.protocol.padEnd(12)} ${l.ipAddress}:${l.port}  (${l.node})`),
    '',
    o.alarms.length === 0 ? 'alarms    none' : 'alarms',
    ...o.alarms.map((a) => `  ⚠ ${a}`),
    '',
  ].join('\n');
}

async function doOverview(deps: RabbitDeps, call: CommandCall): Promise<BrokerOverview> {
  const t = await target(deps, call);
  const o = await brokerOverview(t.session.management());
  if (call.interactive) {
    await deps.documents.show(`${t.profile.name} overview.txt`, overviewText(t, o));
    if (o.alarms.length > 0) void vscode.window.showWarningMessage(`RabbitMQ "${t.profile.name}": ${o.alarms.join('; ')}.`);
  }
  return o;
}

async function pickConnection(t: Target, call: CommandCall): Promise<string> {
  const page = await t.session.management().listConnections({ vhost: t.vhost, pageSize: 500 });
  if (page.items.length === 0) throw new InputError(`There are no connections to ${where(t)}.`);
  const picked = await call.prompts.pick(
    page.items.map((c) => ({ label: c.clientName ?? c.name, description: `${c.user} · ${c.name}`, name: c.name })),
    { title: `Close which connection to ${where(t)}?`, matchOnDescription: true },
  );
  return picked.name;
}

async function doCloseConnection(deps: RabbitDeps, call: CommandCall): Promise<Record<string, never>> {
  const t = await target(deps, call);
  let name: string;
  let reason: string;
  if (call.args) {
    name = str(call.args, 'name', true);
    reason = str(call.args, 'reason') ?? 'closed from Broker Explorer';
  } else {
    t.session.assertWritable('closing a connection');
    const node = call.node;
    name =
      node instanceof ActivityItem && node.list.kind === 'connections' ? (node.info as ConnectionInfo).name : await pickConnection(t, call);
    reason = await call.prompts.ask('Reason (the client is told)', { value: 'closed from Broker Explorer' });
    await call.prompts.confirm(`Close connection "${name}" on "${t.profile.name}"?`, 'Close Connection', `The client is told: ${reason}`);
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

async function doCopyName(call: CommandCall): Promise<{ name: string }> {
  const entity = entityOf(call);
  if (!entity) throw new InputError('Copy Name needs a queue or an exchange: run it on one in the tree, or give "queue" or "exchange".');
  await vscode.env.clipboard.writeText(entity.name);
  if (call.interactive) vscode.window.setStatusBarMessage(`$(copy) Copied ${entity.kind} name "${entity.name}"`, 3000);
  return { name: entity.name };
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
