import type * as vscode from 'vscode';
import type { TailRegistry } from '../tails/tailRegistry';
import type { RedisPool } from '../../core/redis/pool';
import type { ProfileStore } from '../profileStore';
import type { Settings } from '../settings';
import { RedisProfileNode, type RedisTreeContext } from './redisNodes';
import { ErrorNode, NodeTreeProvider, type TreeNode } from './treeNode';

/** The Redis view: profile nodes at the root, kept across refreshes while the profile is unchanged. */
export class RedisTree extends NodeTreeProvider {
  readonly ctx: RedisTreeContext;
  private nodes = new Map<string, RedisProfileNode>();

  constructor(
    private readonly profiles: ProfileStore,
    pool: RedisPool,
    settings: () => Settings,
    tails: TailRegistry,
  ) {
    super(() => this.rootNodes());
    this.ctx = { pool, tails, settings, refresh: (node?: TreeNode) => this.refresh(node), filters: new Map() };
    this.subscription = tails.onDidChange((structural) => {
      for (const node of this.nodes.values()) {
        if (tails.list('redis', node.profile.name).length === 0 && !structural) continue;
        this.refresh(structural ? node : node.tailsFolder);
      }
    });
  }

  private readonly subscription: vscode.Disposable;

  override dispose(): void {
    this.subscription.dispose();
    super.dispose();
  }

  private async rootNodes(): Promise<TreeNode[]> {
    const { profiles, problems } = this.profiles.redisProfiles();
    const next = new Map<string, RedisProfileNode>();
    for (const p of profiles) {
      const existing = this.nodes.get(p.name);
      next.set(p.name, existing && existing.profile === p ? existing : new RedisProfileNode(this.ctx, p));
    }
    this.nodes = next;
    const errors = problems.map(
      (p, i) => new ErrorNode(`redis/problem/${i}`, undefined, `${p.message} (${p.scope === 'global' ? 'user' : 'workspace'} settings)`),
    );
    return [...next.values(), ...errors];
  }

  /** The node of a profile, for tests and reveal. */
  profileNode(name: string): RedisProfileNode | undefined {
    return this.nodes.get(name);
  }

  /** Children as the view would show them (for tests). */
  children(node?: TreeNode): Promise<TreeNode[]> {
    return this.getChildren(node);
  }

  treeItem(node: TreeNode): vscode.TreeItem | Promise<vscode.TreeItem> {
    return this.getTreeItem(node);
  }
}
