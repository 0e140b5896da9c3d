/** Running tails under their profile: a live count and a Stop action. */
import * as vscode from 'vscode';
import { formatCount, formatTime } from '../../core/units';
import type { Tail, TailRegistry } from '../tails/tailRegistry';
import { BaseNode, type TreeNode } from './treeNode';
import { contextValue } from './contextValue';

export class TailNode extends BaseNode {
  constructor(
    parent: TreeNode | undefined,
    readonly tail: Tail,
  ) {
    super(`tail/${tail.id}`, parent);
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.tail.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const count = this.tail.count();
    const dropped = this.tail.dropped();
    const droppedText = dropped > 0 ? ` · ${vscode.l10n.t('{0} dropped', formatCount(dropped))}` : '';
    const messages = count === 1 ? vscode.l10n.t('{0} message', formatCount(count)) : vscode.l10n.t('{0} messages', formatCount(count));
    item.description = `${messages}${droppedText}${this.tail.running() ? '' : ` · ${vscode.l10n.t('stopped')}`}`;
    item.iconPath = new vscode.ThemeIcon(this.tail.running() ? 'pulse' : 'debug-pause');
    const droppedTip =
      dropped > 0
        ? `\n${vscode.l10n.t('{0} dropped from the tails.read buffer ({1})', formatCount(dropped), 'brokerExplorer.tailBufferSize')}`
        : '';
    item.tooltip = `${this.tail.label}\n${vscode.l10n.t('started {0}', formatTime(this.tail.startedAt))}\n${vscode.l10n.t('id {0}', this.tail.id)}${droppedTip}`;
    item.contextValue = contextValue(`tail:${this.tail.kind}`);
    item.command = { command: 'brokerExplorer.tails.show', title: vscode.l10n.t('Show Output'), arguments: [this] };
    return item;
  }
}

/** "Running" under a profile: its tails; refreshed alone once a second for live counts. */
export class TailsFolderNode extends BaseNode {
  constructor(
    parent: TreeNode,
    private readonly registry: TailRegistry,
    private readonly kind: 'redis' | 'rabbitmq',
    private readonly profile: string,
  ) {
    super(`${parent.id}/tails`, parent);
  }

  get count(): number {
    return this.registry.list(this.kind, this.profile).length;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Running'), vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.description = `${this.count}`;
    item.iconPath = new vscode.ThemeIcon('broadcast');
    item.contextValue = contextValue('tails');
    return item;
  }

  getChildren(): Promise<TreeNode[]> {
    return Promise.resolve(this.registry.list(this.kind, this.profile).map((t) => new TailNode(this, t)));
  }
}
