/**
 * A tree node owns the loading of its children; providers only forward.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { ResolvedProfile } from '../../core/profiles';
import { remedyOf, type Remedy } from '../errorRemedy';
import { contextValue } from './contextValue';

export const TREE_NODE = Symbol('brokerExplorer.treeNode');

export interface TreeNode {
  readonly [TREE_NODE]: true;
  readonly id: string;
  readonly parent: TreeNode | undefined;
  getTreeItem(): vscode.TreeItem | Promise<vscode.TreeItem>;
  getChildren(): Promise<TreeNode[]>;
  /** Fills in a slow tooltip on hover. */
  resolveTooltip?(): Promise<vscode.MarkdownString | string | undefined>;
}

export function isTreeNode(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null && (value as { [TREE_NODE]?: unknown })[TREE_NODE] === true;
}

export abstract class BaseNode implements TreeNode {
  readonly [TREE_NODE] = true as const;
  constructor(
    readonly id: string,
    readonly parent: TreeNode | undefined,
  ) {}
  abstract getTreeItem(): vscode.TreeItem | Promise<vscode.TreeItem>;
  getChildren(): Promise<TreeNode[]> {
    return Promise.resolve([]);
  }
}

/** An informational leaf: empty states, caps, hints. */
export class MessageNode extends BaseNode {
  constructor(
    id: string,
    parent: TreeNode | undefined,
    private readonly label: string,
    private readonly icon = 'info',
    private readonly tooltip?: string,
  ) {
    super(id, parent);
  }
  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.contextValue = contextValue('message');
    if (this.tooltip) item.tooltip = this.tooltip;
    return item;
  }
}

/** A failed load: a short label leading with the remedy ("Login refused — Set Password…"), the sentence beside it and in the tooltip; a click runs the remedy. */
export class ErrorNode extends BaseNode {
  readonly message: string;
  readonly remedy: Remedy;
  /** The profile the failure is about (the nearest profile above), so the remedy commands act on it without asking. */
  readonly profile: ResolvedProfile | undefined;

  constructor(id: string, parent: TreeNode | undefined, error: unknown, remedy?: Remedy) {
    super(id, parent);
    this.message = errorMessage(error);
    this.remedy = remedy ?? remedyOf(error);
    this.profile = profileAbove(parent);
  }
  getTreeItem(): vscode.TreeItem {
    const { problem, action, command, args, flag } = this.remedy;
    // A failure with a known remedy leads with it; any other keeps its sentence as the label (its click retries).
    const item = new vscode.TreeItem(flag || args ? `${problem} — ${action}` : this.message, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    if (flag || args) item.description = this.message;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.tooltip = `${this.message}\n\n${vscode.l10n.t('Click: {0}.', action.replace(/…$/, ''))}`;
    item.contextValue = contextValue('error', flag ? { [flag]: true } : {});
    item.command = { command, title: action, arguments: args ?? [this] };
    return item;
  }
}

function profileAbove(node: TreeNode | undefined): ResolvedProfile | undefined {
  for (let n = node; n; n = n.parent) {
    const profile = (n as { profile?: unknown }).profile;
    if (typeof profile === 'object' && profile !== null && 'kind' in profile && 'name' in profile) return profile as ResolvedProfile;
  }
  return undefined;
}

/** "Load more…" under a paged node. */
export class LoadMoreNode extends BaseNode {
  constructor(
    id: string,
    parent: TreeNode,
    private readonly description: string,
    private readonly loadMore: () => Promise<void>,
  ) {
    super(id, parent);
  }
  load(): Promise<void> {
    return this.loadMore();
  }
  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Load more…'), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = this.description;
    item.iconPath = new vscode.ThemeIcon('more');
    item.contextValue = contextValue('loadMore');
    item.command = { command: 'brokerExplorer.loadMore', title: vscode.l10n.t('Load More'), arguments: [this] };
    return item;
  }
}

/** Forwards everything to the nodes; `refresh(node)` reloads one subtree. */
export class NodeTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly roots: () => Promise<TreeNode[]>) {}

  refresh(node?: TreeNode): void {
    this.emitter.fire(node);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem | Promise<vscode.TreeItem> {
    return node.getTreeItem();
  }

  getChildren(node?: TreeNode): Promise<TreeNode[]> {
    return node ? node.getChildren() : this.roots();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  async resolveTreeItem(item: vscode.TreeItem, node: TreeNode): Promise<vscode.TreeItem> {
    if (node.resolveTooltip && item.tooltip === undefined) {
      try {
        const tooltip = await node.resolveTooltip();
        if (tooltip !== undefined) item.tooltip = tooltip;
      } catch {
        // a tooltip is best effort
      }
    }
    return item;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
