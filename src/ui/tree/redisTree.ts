import * as vscode from 'vscode';
import type { TailRegistry } from '../tails/tailRegistry';
import type { RedisPool } from '../../core/redis/pool';
import type { ProfileStore } from '../profileStore';
import type { Settings } from '../settings';
import { RedisProfileNode, type RedisTreeContext } from './redisNodes';
import { settingsRemedy } from '../errorRemedy';
import { ErrorNode, NodeTreeProvider, type TreeNode } from './treeNode';

/** A database whose keys may have changed. */
export interface DatabaseChange {
  profile: string;
  db: number;
}

/** The Redis view: profile nodes at the root, kept across refreshes while the profile is unchanged. */
export class RedisTree extends NodeTreeProvider {
  readonly ctx: RedisTreeContext;
  private nodes = new Map<string, RedisProfileNode>();
  private readonly changes = new vscode.EventEmitter<DatabaseChange>();
  /** Fires when a database is refreshed after a change (every write through the extension refreshes its database). */
  readonly onDidChangeDatabase = this.changes.event;

  constructor(
    private readonly profiles: ProfileStore,
    pool: RedisPool,
    settings: () => Settings,
    tails: TailRegistry,
  ) {
    super(() => this.rootNodes());
    this.ctx = {
      pool,
      tails,
      settings,
      refresh: (node?: TreeNode) => this.refresh(node),
      filters: new Map(),
    };
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
    this.changes.dispose();
    super.dispose();
  }

  private rootNodes(): Promise<TreeNode[]> {
    const { profiles, problems } = this.profiles.redisProfiles();
    const next = new Map<string, RedisProfileNode>();
    for (const p of profiles) {
      const existing = this.nodes.get(p.name);
      next.set(p.name, existing && existing.profile === p ? existing : new RedisProfileNode(this.ctx, p));
    }
    this.nodes = next;
    const errors = problems.map(
      (p, i) =>
        new ErrorNode(
          `redis/problem/${i}`,
          undefined,
          p.scope === 'global' ? vscode.l10n.t('{0} (user settings)', p.message) : vscode.l10n.t('{0} (workspace settings)', p.message),
          settingsRemedy('brokerExplorer.redis.profiles'),
        ),
    );
    return Promise.resolve([...next.values(), ...errors]);
  }

  /**
   * After a change to these databases: their key groups are scanned again
   * on the next expand, the profile's key counts reload, and the open value
   * views of their keys reload (whether or not the tree has loaded them).
   */
  databasesChanged(profile: string, dbs: readonly number[]): void {
    const unique = [...new Set(dbs)];
    for (const db of unique) this.changes.fire({ profile, db });
    const profileNode = this.nodes.get(profile);
    if (!profileNode) return;
    for (const db of unique) profileNode.database(db).reset();
    this.refresh(profileNode);
  }

  /** Reloads everything: every database's key pages are scanned again on the next expand. */
  refreshAll(): void {
    for (const node of this.nodes.values()) node.resetDatabases();
    this.refresh();
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
