/**
 * The "Nodes" folder of a RabbitMQ cluster profile (one with several
 * `urls`): every node of the cluster, running or not, with its memory and
 * disk alarms, partitions and uptime, from GET /api/nodes through whichever
 * management URL answers.
 */
import * as vscode from 'vscode';
import type { NodeInfo } from '../../core/amqp/managementTypes';
import { formatByteSize } from '../../core/bytes';
import type { ResolvedRabbitProfile } from '../../core/profiles';
import { formatCount } from '../../core/units';
import { contextValue } from './contextValue';
import type { Invalidatable, RabbitTreeContext } from './rabbitContext';
import { ListPager, loadOrError, pagedChildren, seg } from './rabbitPager';
import { BaseNode, type TreeNode } from './treeNode';

/** "3 d 4 h", "5 h 12 min", "42 s": an uptime at a glance. */
export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return vscode.l10n.t('{0} d {1} h', d, h);
  if (h > 0) return vscode.l10n.t('{0} h {1} min', h, m);
  if (m > 0) return vscode.l10n.t('{0} min', m);
  return vscode.l10n.t('{0} s', s);
}

/** What is wrong with a node, worst first; empty when it is healthy. */
export function nodeProblems(n: NodeInfo): string[] {
  const out: string[] = [];
  if (!n.running) out.push(vscode.l10n.t('not running'));
  if (n.memoryAlarm) out.push(vscode.l10n.t('memory alarm'));
  if (n.diskFreeAlarm) out.push(vscode.l10n.t('disk alarm'));
  if (n.partitions.length > 0) out.push(vscode.l10n.t('partitioned from {0}', n.partitions.join(', ')));
  return out;
}

export class ClusterNodesFolder extends BaseNode implements Invalidatable {
  readonly pager: ListPager<NodeInfo>;
  private nodes = new Map<string, ClusterNodeItem>();

  constructor(
    parent: TreeNode,
    readonly ctx: RabbitTreeContext,
    readonly profile: ResolvedRabbitProfile,
  ) {
    super(`${parent.id}/nodes`, parent);
    this.pager = new ListPager<NodeInfo>(
      async (page, pageSize) => (await ctx.pool.session(profile.name)).management().listNodes({ page, pageSize }),
      (n) => n.name,
      () => ctx.settings(),
    );
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Nodes'), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    if (this.pager.started) {
      const down = this.pager.items.filter((n) => nodeProblems(n).length > 0).length;
      item.description = `${formatCount(this.pager.total)}${down > 0 ? ` · ${vscode.l10n.t('{0} with problems', formatCount(down))}` : ''}`;
    }
    item.tooltip = vscode.l10n.t('The nodes of the cluster behind profile "{0}" ({1})', this.profile.name, 'GET /api/nodes');
    item.iconPath = new vscode.ThemeIcon('server-process');
    item.contextValue = contextValue('rabbitmq:nodes', { readonly: this.profile.readOnly });
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const error = await loadOrError(this, this.pager);
    if (error) return [error];
    const next = new Map<string, ClusterNodeItem>();
    for (const info of this.pager.items) {
      const node = this.nodes.get(info.name) ?? new ClusterNodeItem(this, info);
      node.info = info;
      next.set(info.name, node);
    }
    this.nodes = next;
    return pagedChildren(this, this.ctx, this.pager, [...next.values()], 'nodes', false);
  }

  invalidate(): void {
    this.pager.invalidate();
  }
}

/** One node of the cluster: a leaf. */
export class ClusterNodeItem extends BaseNode {
  constructor(
    folder: ClusterNodesFolder,
    public info: NodeInfo,
  ) {
    super(`${folder.id}/${seg(info.name)}`, folder);
  }

  getTreeItem(): vscode.TreeItem {
    const n = this.info;
    const item = new vscode.TreeItem(n.name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const problems = nodeProblems(n);
    const parts = problems.length > 0 ? [...problems] : [vscode.l10n.t('running')];
    if (n.running && n.uptimeMs !== undefined) parts.push(vscode.l10n.t('up {0}', formatUptime(n.uptimeMs)));
    item.description = parts.join(' · ');
    const lines = [
      n.type
        ? vscode.l10n.t('RabbitMQ node {0} ({1}): {2}', n.name, n.type, parts.join(', '))
        : vscode.l10n.t('RabbitMQ node {0}: {1}', n.name, parts.join(', ')),
    ];
    if (n.memoryUsed !== undefined && n.memoryLimit !== undefined)
      lines.push(vscode.l10n.t('memory {0} of {1} (high watermark)', formatByteSize(n.memoryUsed), formatByteSize(n.memoryLimit)));
    if (n.diskFree !== undefined && n.diskFreeLimit !== undefined)
      lines.push(vscode.l10n.t('disk free {0} (limit {1})', formatByteSize(n.diskFree), formatByteSize(n.diskFreeLimit)));
    if (n.memoryAlarm || n.diskFreeAlarm) lines.push(vscode.l10n.t('An alarm blocks every publisher of the cluster until it clears.'));
    item.tooltip = lines.join('\n');
    item.iconPath = new vscode.ThemeIcon(
      !n.running ? 'error' : problems.length > 0 ? 'warning' : 'pass',
      new vscode.ThemeColor(!n.running ? 'errorForeground' : problems.length > 0 ? 'list.warningForeground' : 'testing.iconPassed'),
    );
    item.contextValue = contextValue('rabbitmq:node');
    return item;
  }
}
