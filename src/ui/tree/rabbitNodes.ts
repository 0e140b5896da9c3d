/**
 * The RabbitMQ tree: profile → vhosts → "Exchanges" / "Queues" → items →
 * bindings. Every list comes from the management API one page at a time
 * (sorted by name, filtered by substring or regex on the broker); bindings,
 * which the broker returns unpaged, are paged here. Each node loads its own
 * children and keeps its child nodes across refreshes.
 */
import { ActivityFolder, ActivityItem, ActivityList } from './rabbitActivityNodes';
import * as vscode from 'vscode';
import type { ExchangeInfo, QueueInfo, VhostInfo } from '../../core/amqp/managementTypes';
import type { ResolvedRabbitProfile } from '../../core/profiles';
import { formatCount } from '../../core/units';
import { BindingNode, ExchangeNode, QueueNode } from './rabbitItems';
import { describeFilter, filterKey, type Invalidatable, type ItemFolder, type RabbitFilter, type RabbitTreeContext } from './rabbitContext';
import { ListPager, loadOrError, pagedChildren, seg } from './rabbitPager';
import { ClusterNodesFolder } from './rabbitClusterNodes';
import { UserNode, UsersFolder } from './rabbitUserNodes';
import { listVhostLimits } from '../../core/amqp/managementAdmin';
import { TailsFolderNode } from './tailNodes';
import { BaseNode, type TreeNode } from './treeNode';
import { contextValue } from './contextValue';

export type FolderKind = 'exchanges' | 'queues';

// Kept importable from here for the command files that already do.
export { describeFilter, filterKey, isInvalidatable, type Invalidatable, type RabbitFilter, type RabbitTreeContext } from './rabbitContext';

export class RabbitProfileNode extends BaseNode implements Invalidatable {
  readonly tailsFolder: TailsFolderNode;
  readonly pager: ListPager<VhostInfo>;
  /** "Nodes", on a profile with several URLs (a cluster). */
  readonly nodesFolder: ClusterNodesFolder | undefined;
  /** "Users": users, tags, permissions (administrators only; others see one sentence there). */
  readonly usersFolder: UsersFolder;
  private vhostNodes = new Map<string, VhostNode>();

  constructor(
    readonly ctx: RabbitTreeContext,
    readonly profile: ResolvedRabbitProfile,
  ) {
    super(`rabbitmq/${seg(profile.name)}`, undefined);
    this.tailsFolder = new TailsFolderNode(this, ctx.tails, 'rabbitmq', profile.name);
    this.nodesFolder = profile.urls.length > 1 ? new ClusterNodesFolder(this, ctx, profile) : undefined;
    this.usersFolder = new UsersFolder(this, ctx, profile);
    this.pager = new ListPager<VhostInfo>(
      async (page, pageSize) => {
        const session = await ctx.pool.session(profile.name);
        const f = this.filter;
        return session.management().listVhosts({ page, pageSize, ...(f ? { filter: f.text, regex: f.regex } : {}) });
      },
      (v) => v.name,
      () => ctx.settings(),
    );
  }

  get filter(): RabbitFilter | undefined {
    return this.ctx.filters.get(filterKey(this.profile.name, undefined, 'vhosts'));
  }

  getTreeItem(): vscode.TreeItem {
    const p = this.profile;
    const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const filter = this.filter ? ` · ${vscode.l10n.t('filter: {0}', describeFilter(this.filter))}` : '';
    item.description = `${p.host}:${p.port}${p.readOnly ? ` · ${vscode.l10n.t('read-only')}` : ''}${p.scope === 'workspace' ? ` · ${vscode.l10n.t('workspace')}` : ''}${filter}`;
    const insecure = p.tls?.allowSelfSigned ? `\n\n⚠ ${vscode.l10n.t('TLS accepts self-signed certificates (no verification).')}` : '';
    item.tooltip = `RabbitMQ ${p.url}\n${vscode.l10n.t('Management API {0}', p.managementUrl)}${insecure}`;
    item.iconPath = new vscode.ThemeIcon(p.tls?.allowSelfSigned ? 'warning' : 'server-environment');
    item.contextValue = contextValue('rabbitmq:profile', { filtered: this.filter !== undefined, readonly: p.readOnly });
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const tails: TreeNode[] = this.tailsFolder.count > 0 ? [this.tailsFolder] : [];
    if (this.nodesFolder) tails.push(this.nodesFolder);
    tails.push(this.usersFolder);
    const error = await loadOrError(this, this.pager);
    if (error) return [...tails, error];
    const limits = await this.vhostLimits();
    const next = new Map<string, VhostNode>();
    for (const info of this.pager.items) {
      const node = this.vhostNodes.get(info.name) ?? new VhostNode(this, info.name);
      node.info = info;
      node.limits = limits?.get(info.name);
      next.set(info.name, node);
    }
    this.vhostNodes = next;
    return [...tails, ...pagedChildren(this, this.ctx, this.pager, [...next.values()], 'vhosts', this.filter !== undefined)];
  }

  /** Every vhost's limits; undefined when the user may not read them (not an administrator) or the call failed. */
  private async vhostLimits(): Promise<Map<string, Record<string, number>> | undefined> {
    try {
      return await listVhostLimits((await this.ctx.pool.session(this.profile.name)).management());
    } catch {
      return undefined;
    }
  }

  /** The node of a loaded vhost. */
  vhost(name: string): VhostNode | undefined {
    return this.vhostNodes.get(name);
  }

  invalidate(): void {
    this.pager.invalidate();
    this.nodesFolder?.invalidate();
    this.usersFolder.invalidate();
    for (const node of this.vhostNodes.values()) node.invalidate();
  }

  /** After the vhost filter changed. */
  resetList(): void {
    this.pager.reset();
  }
}

export class VhostNode extends BaseNode implements Invalidatable {
  info: VhostInfo | undefined;
  /** max-connections / max-queues when set (read by administrators only). */
  limits: Record<string, number> | undefined;
  readonly exchanges: FolderNode;
  readonly queues: FolderNode;
  readonly activity: ActivityFolder;

  constructor(
    readonly profileNode: RabbitProfileNode,
    readonly vhost: string,
  ) {
    super(`${profileNode.id}/v/${seg(vhost)}`, profileNode);
    this.exchanges = new FolderNode(this, 'exchanges');
    this.queues = new FolderNode(this, 'queues');
    this.activity = new ActivityFolder(this, profileNode.ctx, profileNode.profile, vhost);
  }

  get profile(): ResolvedRabbitProfile {
    return this.profileNode.profile;
  }

  get ctx(): RabbitTreeContext {
    return this.profileNode.ctx;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.vhost, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const parts: string[] = [];
    if (this.vhost === this.profile.vhost) parts.push(vscode.l10n.t('default'));
    const messages = this.info?.messages;
    if (messages !== undefined)
      parts.push(
        messages === 1 ? vscode.l10n.t('{0} message', formatCount(messages)) : vscode.l10n.t('{0} messages', formatCount(messages)),
      );
    const limits = Object.entries(this.limits ?? {}).map(([k, v]) => `${k} ${formatCount(v)}`);
    const limitsText = vscode.l10n.t('limits: {0}', limits.join(', '));
    if (limits.length > 0) parts.push(limitsText);
    item.description = parts.join(' · ');
    item.tooltip = `${vscode.l10n.t('vhost {0}', this.vhost)}${this.info?.description ? `\n${this.info.description}` : ''}${limits.length > 0 ? `\n${limitsText}` : ''}`;
    item.iconPath = new vscode.ThemeIcon('server');
    item.contextValue = contextValue('rabbitmq:vhost', { readonly: this.profile.readOnly });
    return item;
  }

  getChildren(): Promise<TreeNode[]> {
    return Promise.resolve([this.exchanges, this.queues, this.activity]);
  }

  folder(kind: FolderKind): FolderNode {
    return kind === 'exchanges' ? this.exchanges : this.queues;
  }

  invalidate(): void {
    this.exchanges.invalidate();
    this.queues.invalidate();
    this.activity.invalidate();
  }
}

type ItemNode = ExchangeNode | QueueNode;

/** "Exchanges" or "Queues" under a vhost: paged, filtered, sorted by name. */
export class FolderNode extends BaseNode implements Invalidatable, ItemFolder {
  readonly pager: ListPager<ExchangeInfo | QueueInfo>;
  private itemNodes = new Map<string, ItemNode>();

  constructor(
    readonly vhostNode: VhostNode,
    readonly kind: FolderKind,
  ) {
    super(`${vhostNode.id}/${kind}`, vhostNode);
    this.pager = new ListPager<ExchangeInfo | QueueInfo>(
      async (page, pageSize) => {
        const session = await this.ctx.pool.session(this.profile.name, this.vhost);
        const f = this.filter;
        const options = { page, pageSize, ...(f ? { filter: f.text, regex: f.regex } : {}) };
        const m = session.management();
        return kind === 'exchanges' ? m.listExchanges(this.vhost, options) : m.listQueues(this.vhost, options);
      },
      (x) => x.name,
      () => this.ctx.settings(),
    );
  }

  get profile(): ResolvedRabbitProfile {
    return this.vhostNode.profile;
  }

  get vhost(): string {
    return this.vhostNode.vhost;
  }

  get ctx(): RabbitTreeContext {
    return this.vhostNode.ctx;
  }

  get filter(): RabbitFilter | undefined {
    return this.ctx.filters.get(filterKey(this.profile.name, this.vhost, this.kind));
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(
      this.kind === 'exchanges' ? vscode.l10n.t('Exchanges') : vscode.l10n.t('Queues'),
      vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = this.id;
    const parts: string[] = [];
    if (this.pager.started) parts.push(formatCount(this.pager.total));
    if (this.filter) parts.push(vscode.l10n.t('filter: {0}', describeFilter(this.filter)));
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon(this.kind === 'exchanges' ? 'arrow-swap' : 'inbox');
    item.contextValue = contextValue(`rabbitmq:${this.kind}`, { filtered: this.filter !== undefined, readonly: this.profile.readOnly });
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const error = await loadOrError(this, this.pager);
    if (error) return [error];
    const next = new Map<string, ItemNode>();
    for (const info of this.pager.items) {
      const existing = this.itemNodes.get(info.name);
      let node: ItemNode;
      if (this.kind === 'exchanges') {
        node = existing instanceof ExchangeNode ? existing : new ExchangeNode(this, info as ExchangeInfo);
        node.info = info as ExchangeInfo;
      } else {
        node = existing instanceof QueueNode ? existing : new QueueNode(this, info as QueueInfo);
        node.info = info as QueueInfo;
      }
      next.set(info.name, node);
    }
    this.itemNodes = next;
    return pagedChildren(this, this.ctx, this.pager, [...next.values()], this.kind, this.filter !== undefined);
  }

  invalidate(): void {
    this.pager.invalidate();
    for (const node of this.itemNodes.values()) node.invalidate();
  }

  /** After the filter changed. */
  resetList(): void {
    this.pager.reset();
  }
}

/** The (profile, vhost) a node stands for, if any. */
export function rabbitNodeTarget(node: TreeNode | undefined): { profile: ResolvedRabbitProfile; vhost?: string } | undefined {
  if (node instanceof RabbitProfileNode) return { profile: node.profile };
  // Users are broker-wide: the profile's own vhost serves (Set Permissions… asks for the vhost itself).
  if (node instanceof UsersFolder || node instanceof UserNode) return { profile: node.profile, vhost: node.profile.vhost };
  if (node instanceof ActivityItem)
    return node.list.vhost === undefined ? { profile: node.profile } : { profile: node.profile, vhost: node.list.vhost };
  if (node instanceof ActivityList || node instanceof ActivityFolder)
    return node.vhost === undefined ? { profile: node.profile } : { profile: node.profile, vhost: node.vhost };
  if (
    node instanceof VhostNode ||
    node instanceof FolderNode ||
    node instanceof ExchangeNode ||
    node instanceof QueueNode ||
    node instanceof BindingNode
  ) {
    return { profile: node.profile, vhost: node.vhost };
  }
  return undefined;
}
