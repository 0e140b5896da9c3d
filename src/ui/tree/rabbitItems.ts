/**
 * The items of a vhost's folders — exchanges and queues — and their
 * bindings, which the management API returns unpaged and are paged here.
 */
import * as vscode from 'vscode';
import type { BindingInfo, ExchangeInfo, QueueInfo } from '../../core/amqp/managementTypes';
import type { ResolvedRabbitProfile } from '../../core/profiles';
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
  return entries.length === 0 ? '' : `\narguments ${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`;
}

/** A replicated queue's leader and members (with the ones not online), or a classic queue's node. */
export function replicaText(q: QueueInfo): string {
  if (q.members && q.members.length > 0) {
    const offline = q.online ? q.members.filter((m) => !q.online?.includes(m)) : [];
    return `\nleader ${q.leader ?? '?'}\nmembers ${q.members.join(', ')}${offline.length > 0 ? `\nnot online: ${offline.join(', ')}` : ''}`;
  }
  return q.node ? `\nnode ${q.node}` : '';
}

/** Message rates for a description (non-zero ones) and a tooltip (every one the broker gave). */
export function ratesText(rates: readonly [string, number | undefined][]): { short: string; long: string } {
  const given = rates.filter((r): r is [string, number] => r[1] !== undefined);
  const fmt = (v: number): string => `${v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')}/s`;
  return {
    short: given
      .filter(([, v]) => v > 0)
      .map(([what, v]) => `${what} ${fmt(v)}`)
      .join(' · '),
    long: given.length === 0 ? '' : `\nrates: ${given.map(([what, v]) => `${what} ${fmt(v)}`).join(', ')}`,
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
    const item = new vscode.TreeItem(x.name === '' ? '(AMQP default)' : x.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const flags = flagText(x, x.internal);
    const rates = ratesText([
      ['in', x.publishInRate],
      ['out', x.publishOutRate],
    ]);
    item.description = [x.type, flags, x.builtIn ? 'built-in' : '', rates.short].filter(Boolean).join(' · ');
    const flagWords = [x.durable ? 'durable' : 'transient', x.autoDelete ? 'auto-delete' : '', x.internal ? 'internal' : '']
      .filter(Boolean)
      .join(', ');
    item.tooltip = `${x.type} exchange "${x.name}" (${flagWords})${x.builtIn ? '\nbuilt into the broker' : ''}${argumentsText(x.arguments)}${rates.long}`;
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
    const n = (v: number | undefined): string => (v === undefined ? '?' : v.toLocaleString('en-US'));
    const leader = q.leader !== undefined && q.type !== 'classic' ? ` · leader ${q.leader}` : '';
    const rates = ratesText([
      ['in', q.publishRate],
      ['out', q.deliverRate],
      ['ack', q.ackRate],
    ]);
    item.description = `${q.type} · ${n(q.messagesReady)} ready · ${n(q.messagesUnacknowledged)} unacked · ${n(q.consumers)} consumers${rates.short ? ` · ${rates.short}` : ''}${leader}${q.policy || q.operatorPolicy ? ` · policy ${[q.policy, q.operatorPolicy].filter(Boolean).join(' + ')}` : ''}`;
    const flagWords = [q.durable ? 'durable' : 'transient', q.autoDelete ? 'auto-delete' : '', q.exclusive ? 'exclusive' : '']
      .filter(Boolean)
      .join(', ');
    item.tooltip = `${q.type} queue "${q.name}" (${flagWords})${q.state ? `\nstate ${q.state}` : ''}${replicaText(q)}${argumentsText(q.arguments)}${policyText(q)}${rates.long}${q.messages === undefined ? '\nstatistics: not sampled yet (the broker updates them about every 5 s)' : ''}`;
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
    const source = b.source === '' ? '(AMQP default)' : b.source;
    const label = this.side === 'exchange' ? `→ ${b.destinationType === 'exchange' ? 'exchange ' : ''}${b.destination}` : `← ${source}`;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const args = Object.keys(b.arguments).length > 0 ? ` · ${JSON.stringify(b.arguments)}` : '';
    item.description = `${b.routingKey === '' ? '(no key)' : b.routingKey}${args}`;
    item.tooltip = `exchange "${b.source}" → ${b.destinationType} "${b.destination}"\nrouting key "${b.routingKey}"${argumentsText(b.arguments)}`;
    item.iconPath = new vscode.ThemeIcon('link');
    item.contextValue = contextValue('rabbitmq:binding', { builtin: b.source === '', readonly: this.profile.readOnly });
    return item;
  }
}

/** The queue's policy, operator policy and what they set, for its tooltip. */
function policyText(q: QueueInfo): string {
  if (!q.policy && !q.operatorPolicy) return '';
  const names = [q.policy ? `policy "${q.policy}"` : '', q.operatorPolicy ? `operator policy "${q.operatorPolicy}"` : '']
    .filter(Boolean)
    .join(', ');
  return `\n${names}${q.effectivePolicy ? `: ${JSON.stringify(q.effectivePolicy)}` : ''}`;
}
