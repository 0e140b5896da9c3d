/**
 * The items of a vhost's folders — exchanges and queues — and their
 * bindings, which the management API returns unpaged and are paged here.
 */
import * as vscode from 'vscode';
import type { BindingInfo, ExchangeInfo, QueueInfo } from '../../core/amqp/managementTypes';
import type { ResolvedRabbitProfile } from '../../core/profiles';
import { formatCount } from '../../core/units';
import type { Invalidatable, ItemFolder } from './rabbitContext';
import { ListPager, loadOrError, pagedChildren, seg } from './rabbitPager';
import { BaseNode, type TreeNode } from './treeNode';
import { contextValue, queueTypeFlags } from './contextValue';

/** Shared by exchanges and queues: the bindings, paged here, loaded on expand. */
export abstract class BindingsOwnerNode extends BaseNode implements Invalidatable {
  readonly bindings: ListPager<BindingInfo>;

  constructor(
    readonly folder: ItemFolder,
    readonly name: string,
  ) {
    super(`${folder.id}/i/${seg(name)}`, folder);
    this.bindings = new ListPager<BindingInfo>(
      async (page, pageSize) => {
        const session = await this.folder.ctx.pool.session(this.profile.name, this.vhost);
        return session.management().listBindings(this.vhost, this.selector(), { page, pageSize });
      },
      (b) => `${b.source}\u0000${b.destinationType}\u0000${b.destination}\u0000${b.propertiesKey}`,
      () => this.folder.ctx.settings(),
    );
  }

  protected abstract selector(): { exchange: string } | { queue: string };

  get profile(): ResolvedRabbitProfile {
    return this.folder.profile;
  }

  get vhost(): string {
    return this.folder.vhost;
  }

  async getChildren(): Promise<TreeNode[]> {
    const error = await loadOrError(this, this.bindings);
    if (error) return [error];
    const nodes = this.bindings.items.map((b) => new BindingNode(this, b, this instanceof QueueNode ? 'queue' : 'exchange'));
    return pagedChildren(this, this.folder.ctx, this.bindings, nodes, 'bindings', false);
  }

  invalidate(): void {
    this.bindings.invalidate();
  }
}

function flagText(info: { durable: boolean; autoDelete: boolean }, internal?: boolean): string {
  return [info.durable ? 'D' : '', info.autoDelete ? 'AD' : '', internal ? 'I' : ''].filter(Boolean).join(' ');
}

function argumentsText(args: Record<string, unknown>): string {
  const entries = Object.entries(args);
  return entries.length === 0 ? '' : `\n${vscode.l10n.t('arguments {0}', entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', '))}`;
}

/** A replicated queue's leader and members (with the ones not online), or a classic queue's node. */
export function replicaText(q: QueueInfo): string {
  if (q.members && q.members.length > 0) {
    const offline = q.online ? q.members.filter((m) => !q.online?.includes(m)) : [];
    return `\n${vscode.l10n.t('leader {0}', q.leader ?? '?')}\n${vscode.l10n.t('members {0}', q.members.join(', '))}${offline.length > 0 ? `\n${vscode.l10n.t('not online: {0}', offline.join(', '))}` : ''}`;
  }
  return q.node ? `\n${vscode.l10n.t('node {0}', q.node)}` : '';
}

/** Message rates for a description (non-zero ones) and a tooltip (every one the broker gave); the names (`in`, `out`, `ack`) come localized. */
export function ratesText(rates: readonly [string, number | undefined][]): { short: string; long: string } {
  const given = rates.filter((r): r is [string, number] => r[1] !== undefined);
  const fmt = (v: number): string => `${v < 10 ? v.toFixed(1) : formatCount(Math.round(v))}/s`;
  return {
    short: given
      .filter(([, v]) => v > 0)
      .map(([what, v]) => `${what} ${fmt(v)}`)
      .join(' · '),
    long: given.length === 0 ? '' : `\n${vscode.l10n.t('rates: {0}', given.map(([what, v]) => `${what} ${fmt(v)}`).join(', '))}`,
  };
}

export class ExchangeNode extends BindingsOwnerNode {
  constructor(
    folder: ItemFolder,
    public info: ExchangeInfo,
  ) {
    super(folder, info.name);
  }

  protected selector(): { exchange: string } {
    return { exchange: this.name };
  }

  getTreeItem(): vscode.TreeItem {
    const x = this.info;
    const item = new vscode.TreeItem(x.name === '' ? vscode.l10n.t('(AMQP default)') : x.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const flags = flagText(x, x.internal);
    const rates = ratesText([
      [vscode.l10n.t('in'), x.publishInRate],
      [vscode.l10n.t('out'), x.publishOutRate],
    ]);
    item.description = [x.type, flags, x.builtIn ? vscode.l10n.t('built-in') : '', rates.short].filter(Boolean).join(' · ');
    const flagWords = [
      x.durable ? vscode.l10n.t('durable') : vscode.l10n.t('transient'),
      x.autoDelete ? vscode.l10n.t('auto-delete') : '',
      x.internal ? vscode.l10n.t('internal') : '',
    ]
      .filter(Boolean)
      .join(', ');
    item.tooltip = `${vscode.l10n.t('{0} exchange "{1}" ({2})', x.type, x.name, flagWords)}${x.builtIn ? `\n${vscode.l10n.t('built into the broker')}` : ''}${argumentsText(x.arguments)}${rates.long}`;
    item.iconPath = new vscode.ThemeIcon(x.builtIn ? 'symbol-constant' : 'arrow-swap');
    item.contextValue = contextValue('rabbitmq:exchange', { builtin: x.builtIn, readonly: this.profile.readOnly });
    return item;
  }
}

export class QueueNode extends BindingsOwnerNode {
  constructor(
    folder: ItemFolder,
    public info: QueueInfo,
  ) {
    super(folder, info.name);
  }

  protected selector(): { queue: string } {
    return { queue: this.name };
  }

  getTreeItem(): vscode.TreeItem {
    const q = this.info;
    const item = new vscode.TreeItem(q.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const n = (v: number | undefined): string => (v === undefined ? '?' : formatCount(v));
    const leader = q.leader !== undefined && q.type !== 'classic' ? ` · ${vscode.l10n.t('leader {0}', q.leader)}` : '';
    const rates = ratesText([
      [vscode.l10n.t('in'), q.publishRate],
      [vscode.l10n.t('out'), q.deliverRate],
      [vscode.l10n.t('ack'), q.ackRate],
    ]);
    const counts = vscode.l10n.t(
      '{0} ready · {1} unacked · {2} consumers',
      n(q.messagesReady),
      n(q.messagesUnacknowledged),
      n(q.consumers),
    );
    const policies = [q.policy, q.operatorPolicy].filter(Boolean).join(' + ');
    item.description = `${q.type} · ${counts}${rates.short ? ` · ${rates.short}` : ''}${leader}${policies ? ` · ${vscode.l10n.t('policy {0}', policies)}` : ''}`;
    const flagWords = [
      q.durable ? vscode.l10n.t('durable') : vscode.l10n.t('transient'),
      q.autoDelete ? vscode.l10n.t('auto-delete') : '',
      q.exclusive ? vscode.l10n.t('exclusive') : '',
    ]
      .filter(Boolean)
      .join(', ');
    const state = q.state ? `\n${vscode.l10n.t('state {0}', q.state)}` : '';
    const unsampled =
      q.messages === undefined ? `\n${vscode.l10n.t('statistics: not sampled yet (the broker updates them about every 5 s)')}` : '';
    item.tooltip = `${vscode.l10n.t('{0} queue "{1}" ({2})', q.type, q.name, flagWords)}${state}${replicaText(q)}${argumentsText(q.arguments)}${policyText(q)}${rates.long}${unsampled}`;
    item.iconPath = new vscode.ThemeIcon(q.type === 'stream' ? 'pulse' : q.type === 'quorum' ? 'database' : 'inbox');
    item.contextValue = contextValue('rabbitmq:queue', {
      ...queueTypeFlags(q.type),
      exclusive: q.exclusive,
      readonly: this.profile.readOnly,
    });
    return item;
  }
}

/** One binding: under an exchange (where it leads) or under a queue (where it comes from). */
export class BindingNode extends BaseNode {
  constructor(
    readonly owner: BindingsOwnerNode,
    readonly binding: BindingInfo,
    readonly side: 'exchange' | 'queue',
  ) {
    super(
      `${owner.id}/b/${seg(binding.source)}/${binding.destinationType}/${seg(binding.destination)}/${seg(binding.propertiesKey)}`,
      owner,
    );
  }

  get profile(): ResolvedRabbitProfile {
    return this.owner.profile;
  }

  get vhost(): string {
    return this.owner.vhost;
  }

  getTreeItem(): vscode.TreeItem {
    const b = this.binding;
    const source = b.source === '' ? vscode.l10n.t('(AMQP default)') : b.source;
    const label =
      this.side === 'exchange'
        ? `→ ${b.destinationType === 'exchange' ? vscode.l10n.t('exchange {0}', b.destination) : b.destination}`
        : `← ${source}`;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const args = Object.keys(b.arguments).length > 0 ? ` · ${JSON.stringify(b.arguments)}` : '';
    item.description = `${b.routingKey === '' ? vscode.l10n.t('(no key)') : b.routingKey}${args}`;
    const to =
      b.destinationType === 'exchange'
        ? vscode.l10n.t('exchange "{0}" → exchange "{1}"', b.source, b.destination)
        : vscode.l10n.t('exchange "{0}" → queue "{1}"', b.source, b.destination);
    item.tooltip = `${to}\n${vscode.l10n.t('routing key "{0}"', b.routingKey)}${argumentsText(b.arguments)}`;
    item.iconPath = new vscode.ThemeIcon('link');
    item.contextValue = contextValue('rabbitmq:binding', { builtin: b.source === '', readonly: this.profile.readOnly });
    return item;
  }
}

/** The queue's policy, operator policy and what they set, for its tooltip. */
function policyText(q: QueueInfo): string {
  if (!q.policy && !q.operatorPolicy) return '';
  const names = [
    q.policy ? vscode.l10n.t('policy "{0}"', q.policy) : '',
    q.operatorPolicy ? vscode.l10n.t('operator policy "{0}"', q.operatorPolicy) : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `\n${names}${q.effectivePolicy ? `: ${JSON.stringify(q.effectivePolicy)}` : ''}`;
}
