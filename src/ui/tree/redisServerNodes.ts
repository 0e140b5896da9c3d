/**
 * The "Nodes" folder of a Redis Cluster or Sentinel profile: one item per
 * server (primaries, replicas, sentinels) with its role, slot ranges or
 * primary, link state, used memory and key count. The folder reads the
 * topology each time it is expanded or refreshed.
 */
import * as vscode from 'vscode';
import type { Topology, TopologyNode } from '../../core/redis/topologyNodes';
import { describeNode, formatBytes, keysText, primaryKeys, slotRanges } from '../redis/topology';
import { contextValue } from './contextValue';
import { BaseNode, ErrorNode, type TreeNode } from './treeNode';

const ROLE_ICONS: Record<TopologyNode['role'], string> = { primary: 'server', replica: 'copy', sentinel: 'eye' };

export class NodesFolderNode extends BaseNode {
  /** The last topology read (for the description and key tooltips). */
  last: Topology | undefined;

  constructor(
    parent: TreeNode,
    private readonly load: () => Promise<Topology>,
  ) {
    super(`${parent.id}/nodes`, parent);
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Nodes'), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('server-environment');
    const t = this.last;
    if (t) {
      const count = (role: TopologyNode['role']): number => t.nodes.filter((n) => n.role === role).length;
      item.description = vscode.l10n.t('{0} primary · {1} replica · {2}', count('primary'), count('replica'), keysText(primaryKeys(t)));
    }
    item.contextValue = contextValue('redis:nodes');
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    try {
      this.last = await this.load();
      return this.last.nodes.map((n) => new ServerNode(this, n));
    } catch (err) {
      return [new ErrorNode(`${this.id}/error`, this, err)];
    }
  }
}

export class ServerNode extends BaseNode {
  constructor(
    parent: NodesFolderNode,
    readonly node: TopologyNode,
  ) {
    super(`${parent.id}/${node.address}`, parent);
  }

  getTreeItem(): vscode.TreeItem {
    const n = this.node;
    const item = new vscode.TreeItem(n.address, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = describeNode(n);
    item.iconPath = new vscode.ThemeIcon(ROLE_ICONS[n.role], n.connected ? undefined : new vscode.ThemeColor('errorForeground'));
    const lines = [
      `${n.address} — ${n.role}${n.id ? ` (${n.id.slice(0, 12)})` : ''}`,
      n.slots ? vscode.l10n.t('slots: {0}', slotRanges(n.slots) || vscode.l10n.t('none')) : '',
      n.primary ? vscode.l10n.t('primary: {0}', n.primary) : '',
      `${n.connected ? vscode.l10n.t('link: connected') : vscode.l10n.t('link: not connected')}${n.error ? ` — ${n.error}` : ''}`,
      n.usedMemory !== undefined ? vscode.l10n.t('used memory: {0} · {1}', formatBytes(n.usedMemory), keysText(n.keys)) : '',
    ];
    item.tooltip = lines.filter(Boolean).join('\n');
    item.contextValue = contextValue('redis:node');
    return item;
  }
}
