/**
 * A vhost's "Activity" folder: its connections (client name, user, client
 * properties, rates), channels (prefetch, unacked, unconfirmed), consumers
 * (the queue each reads) and policies, each a paged list; and "Whole broker"
 * with the connections, channels and consumers of every vhost. A connection
 * item is `be:rabbitmq:connection`, so "Close Connection…" and "Open in
 * Management UI" reach it.
 */
import * as vscode from 'vscode';
import { listOperation, type ActivityInfo, type ActivityKind } from '../../core/amqp/operationLists';
import type { Page, ConnectionInfo } from '../../core/amqp/managementTypes';
import type { ChannelInfo, ConsumerInfo, PolicyInfo } from '../../core/amqp/operationsTypes';
import type { ResolvedRabbitProfile } from '../../core/profiles';
import { formatCount } from '../../core/units';
import { contextValue, type ContextKind } from './contextValue';
import type { Invalidatable, RabbitTreeContext } from './rabbitContext';
import { ListPager, loadOrError, pagedChildren, seg } from './rabbitPager';
import { BaseNode, type TreeNode } from './treeNode';

interface Shown {
  key: string;
  /** What "Copy Name" copies. */
  name: string;
  label: string;
  description: string;
  tooltip: string;
  icon: string;
  context: ContextKind;
}

const rate = (r: number | undefined): string => (r === undefined ? '' : ` · ${r.toFixed(1)}/s`);

function show(kind: ActivityKind, x: ActivityInfo, wide: boolean): Shown {
  const where = wide && 'vhost' in x ? ` · ${vscode.l10n.t('vhost {0}', x.vhost)}` : '';
  switch (kind) {
    case 'connections': {
      const c = x as ConnectionInfo;
      const client = [c.product, c.version, c.platform].filter(Boolean).join(' ');
      const channels = vscode.l10n.t('{0} channel(s)', c.channels === undefined ? '?' : formatCount(c.channels));
      const io =
        c.recvRate !== undefined
          ? `\n${vscode.l10n.t('in {0} B/s, out {1} B/s', c.recvRate.toFixed(0), (c.sendRate ?? 0).toFixed(0))}`
          : '';
      return {
        key: c.name,
        name: c.name,
        label: c.clientName ?? c.name,
        description: `${c.user}${where} · ${channels}${c.state && c.state !== 'running' ? ` · ${c.state}` : ''}`,
        tooltip: `${vscode.l10n.t('connection {0}', c.name)}\n${vscode.l10n.t('user {0}, vhost {1}', c.user, c.vhost)}${client ? `\n${vscode.l10n.t('client {0}', client)}` : ''}${io}`,
        icon: 'plug',
        context: 'rabbitmq:connection',
      };
    }
    case 'channels': {
      const ch = x as ChannelInfo;
      return {
        key: ch.name,
        name: ch.name,
        label: ch.name,
        description: `${vscode.l10n.t('prefetch {0} · {1} unacked', ch.prefetch, formatCount(ch.unacked))}${ch.confirm ? ` · ${vscode.l10n.t('confirm, {0} unconfirmed', formatCount(ch.unconfirmed))}` : ''} · ${vscode.l10n.t('{0} consumer(s)', formatCount(ch.consumers))}${rate(ch.publishRate)}${where}`,
        tooltip: `${vscode.l10n.t('channel {0} of {1}', ch.number, ch.connectionName)}\n${vscode.l10n.t('user {0}, vhost {1}', ch.user, ch.vhost)}\n${vscode.l10n.t(
          'publish{0}, deliver{1}, ack{2}',
          rate(ch.publishRate) || ' –',
          rate(ch.deliverRate) || ' –',
          rate(ch.ackRate) || ' –',
        )}`,
        icon: 'git-merge',
        context: 'rabbitmq:channel',
      };
    }
    case 'consumers': {
      const c = x as ConsumerInfo;
      return {
        key: `${c.channelName}/${c.consumerTag}`,
        name: c.consumerTag,
        label: c.consumerTag,
        description: `${vscode.l10n.t('queue {0} · prefetch {1}', c.queue, c.prefetch)}${c.ackRequired ? '' : ` · ${vscode.l10n.t('no ack')}`}${c.active === false ? ` · ${vscode.l10n.t('waiting (single active consumer)')}` : ''}${where}`,
        tooltip: `${vscode.l10n.t('consumer {0} on queue "{1}" (vhost {2})', c.consumerTag, c.queue, c.vhost)}\n${vscode.l10n.t('channel {0}', c.channelName)}`,
        icon: 'eye',
        context: 'rabbitmq:consumer',
      };
    }
    case 'policies': {
      const p = x as PolicyInfo;
      return {
        key: `${p.operator ? 'op' : 'p'}/${p.name}`,
        name: p.name,
        label: p.name,
        description: `${p.operator ? `${vscode.l10n.t('operator')} · ` : ''}${p.pattern} → ${p.applyTo} · ${vscode.l10n.t('priority {0}', p.priority)}`,
        tooltip: `${p.operator ? vscode.l10n.t('operator policy "{0}"', p.name) : vscode.l10n.t('policy "{0}"', p.name)}\n${JSON.stringify(p.definition, null, 2)}`,
        icon: 'law',
        context: 'rabbitmq:policy',
      };
    }
  }
}

/** A list's title in the display language. */
function title(kind: ActivityKind): string {
  switch (kind) {
    case 'connections':
      return vscode.l10n.t('Connections');
    case 'channels':
      return vscode.l10n.t('Channels');
    case 'consumers':
      return vscode.l10n.t('Consumers');
    case 'policies':
      return vscode.l10n.t('Policies');
  }
}
const ICONS: Record<ActivityKind, string> = { connections: 'plug', channels: 'git-merge', consumers: 'eye', policies: 'law' };

/** One paged list: a vhost's (or, with `vhost` undefined, the broker's) connections, channels, consumers or policies. */
export class ActivityList extends BaseNode implements Invalidatable {
  readonly pager: ListPager<ActivityInfo>;
  private readonly wide: boolean;

  constructor(
    parent: TreeNode,
    readonly ctx: RabbitTreeContext,
    readonly profile: ResolvedRabbitProfile,
    readonly vhost: string | undefined,
    readonly kind: ActivityKind,
  ) {
    super(`${parent.id}/${kind}`, parent);
    this.wide = vhost === undefined;
    this.pager = new ListPager<ActivityInfo>(
      (page, pageSize) => this.fetch(page, pageSize),
      (x) => show(kind, x, this.wide).key,
      () => ctx.settings(),
    );
  }

  private async fetch(page: number, pageSize: number): Promise<Page<ActivityInfo>> {
    const m = (await this.ctx.pool.session(this.profile.name, this.vhost)).management();
    return listOperation(m, this.kind, this.vhost ?? this.profile.vhost, { page, pageSize, allVhosts: this.vhost === undefined });
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(title(this.kind), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    if (this.pager.started) item.description = formatCount(this.pager.total);
    item.iconPath = new vscode.ThemeIcon(ICONS[this.kind]);
    item.contextValue = contextValue(`rabbitmq:${this.kind}`, { readonly: this.profile.readOnly });
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const error = await loadOrError(this, this.pager);
    if (error) return [error];
    const nodes = this.pager.items.map((info) => new ActivityItem(this, info, show(this.kind, info, this.wide)));
    return pagedChildren(this, this.ctx, this.pager, nodes, this.kind, false);
  }

  invalidate(): void {
    this.pager.invalidate();
  }
}

/** One connection, channel, consumer or policy: a leaf. */
export class ActivityItem extends BaseNode {
  constructor(
    readonly list: ActivityList,
    readonly info: ActivityInfo,
    private readonly shown: Shown,
  ) {
    super(`${list.id}/${seg(shown.key)}`, list);
  }

  get profile(): ResolvedRabbitProfile {
    return this.list.profile;
  }

  /** The connection's, channel's or policy's name, or the consumer's tag. */
  get name(): string {
    return this.shown.name;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.shown.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = this.shown.description;
    item.tooltip = this.shown.tooltip;
    item.iconPath = new vscode.ThemeIcon(this.shown.icon);
    item.contextValue = contextValue(this.shown.context, { readonly: this.profile.readOnly });
    return item;
  }
}

/** "Activity" under a vhost, or "Whole broker" inside it (vhost undefined). */
export class ActivityFolder extends BaseNode implements Invalidatable {
  private readonly lists: ActivityList[];
  private readonly broker: ActivityFolder | undefined;

  constructor(
    parent: TreeNode,
    readonly ctx: RabbitTreeContext,
    readonly profile: ResolvedRabbitProfile,
    readonly vhost: string | undefined,
  ) {
    super(`${parent.id}/${vhost === undefined ? 'broker' : 'activity'}`, parent);
    const kinds: ActivityKind[] =
      vhost === undefined ? ['connections', 'channels', 'consumers'] : ['connections', 'channels', 'consumers', 'policies'];
    this.lists = kinds.map((k) => new ActivityList(this, ctx, profile, vhost, k));
    this.broker = vhost === undefined ? undefined : new ActivityFolder(this, ctx, profile, undefined);
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(
      this.vhost === undefined ? vscode.l10n.t('Whole Broker') : vscode.l10n.t('Activity'),
      vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = this.id;
    item.tooltip =
      this.vhost === undefined
        ? vscode.l10n.t('Connections, channels and consumers of every vhost')
        : vscode.l10n.t('Connections, channels, consumers and policies of vhost "{0}"', this.vhost);
    item.iconPath = new vscode.ThemeIcon(this.vhost === undefined ? 'globe' : 'pulse');
    item.contextValue = contextValue('rabbitmq:activity', { readonly: this.profile.readOnly });
    return item;
  }

  getChildren(): Promise<TreeNode[]> {
    return Promise.resolve(this.broker ? [...this.lists, this.broker] : [...this.lists]);
  }

  invalidate(): void {
    for (const l of this.lists) l.invalidate();
    this.broker?.invalidate();
  }
}
