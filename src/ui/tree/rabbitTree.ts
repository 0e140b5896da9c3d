/**
 * The RabbitMQ view: profile nodes at the root, kept across refreshes while
 * the profile is unchanged. `refresh(node)` reloads that subtree from the
 * broker; "Load more" and the live tail counts only redraw. Optionally
 * refreshed every `brokerExplorer.rabbitmq.refreshIntervalSeconds` while
 * the view is visible.
 */
import * as vscode from 'vscode';
import type { AmqpPool } from '../../core/amqp/amqpSession';
import type { ProfileStore } from '../profileStore';
import type { Settings } from '../settings';
import type { TailRegistry } from '../tails/tailRegistry';
import { isInvalidatable, type RabbitTreeContext } from './rabbitContext';
import { RabbitProfileNode, type FolderKind, type VhostNode } from './rabbitNodes';
import { settingsRemedy } from '../errorRemedy';
import { ErrorNode, NodeTreeProvider, type TreeNode } from './treeNode';

/** `brokerExplorer.rabbitmq.refreshIntervalSeconds`: 0 (off) or at least 2 s. */
export function rabbitRefreshIntervalSeconds(): number {
  const v = vscode.workspace.getConfiguration('brokerExplorer').get<number>('rabbitmq.refreshIntervalSeconds');
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return 0;
  return Math.min(86_400, Math.max(2, Math.floor(v)));
}

export class RabbitTree extends NodeTreeProvider {
  readonly ctx: RabbitTreeContext;
  private nodes = new Map<string, RabbitProfileNode>();
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private visible = true;

  constructor(
    private readonly profiles: ProfileStore,
    pool: AmqpPool,
    settings: () => Settings,
    tails: TailRegistry,
  ) {
    super(() => this.rootNodes());
    this.ctx = { pool, tails, settings, redraw: (node?: TreeNode) => super.refresh(node), filters: new Map() };
    this.disposables.push(
      tails.onDidChange((structural) => {
        for (const node of this.nodes.values()) {
          if (tails.list('rabbitmq', node.profile.name).length === 0 && !structural) continue;
          this.ctx.redraw(structural ? node : node.tailsFolder);
        }
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('brokerExplorer.rabbitmq.refreshIntervalSeconds')) this.schedule();
        if (e.affectsConfiguration('brokerExplorer.rabbitmq.pageSize')) this.refresh();
      }),
    );
    this.schedule();
  }

  /** Auto refresh runs only while the view is visible. */
  watch(view: vscode.TreeView<TreeNode>): void {
    this.visible = view.visible;
    this.disposables.push(view.onDidChangeVisibility((e) => (this.visible = e.visible)));
  }

  /** Reloads a subtree (all of it without a node) from the broker. */
  override refresh(node?: TreeNode): void {
    if (node === undefined) for (const p of this.nodes.values()) p.invalidate();
    else if (isInvalidatable(node)) node.invalidate();
    super.refresh(node);
  }

  /** Reloads the exchanges or queues of a vhost, if the tree has loaded them. */
  refreshFolder(profile: string, vhost: string, ...kinds: FolderKind[]): void {
    const v = this.vhostNode(profile, vhost);
    if (!v) return;
    for (const kind of kinds) this.refresh(v.folder(kind));
  }

  /** Reloads a profile's "Users" folder (after a user or its permissions changed). */
  refreshUsers(profile: string): void {
    const node = this.profileNode(profile);
    if (node) this.refresh(node.usersFolder);
  }

  vhostNode(profile: string, vhost: string): VhostNode | undefined {
    return this.nodes.get(profile)?.vhost(vhost);
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const seconds = rabbitRefreshIntervalSeconds();
    if (seconds > 0) {
      this.timer = setInterval(() => {
        if (this.visible && this.nodes.size > 0) this.refresh();
      }, seconds * 1000);
    }
  }

  override dispose(): void {
    if (this.timer) clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
    super.dispose();
  }

  private rootNodes(): Promise<TreeNode[]> {
    const { profiles, problems } = this.profiles.rabbitProfiles();
    const next = new Map<string, RabbitProfileNode>();
    for (const p of profiles) {
      const existing = this.nodes.get(p.name);
      next.set(p.name, existing && existing.profile === p ? existing : new RabbitProfileNode(this.ctx, p));
    }
    this.nodes = next;
    const errors = problems.map(
      (p, i) =>
        new ErrorNode(
          `rabbitmq/problem/${i}`,
          undefined,
          p.scope === 'global' ? vscode.l10n.t('{0} (user settings)', p.message) : vscode.l10n.t('{0} (workspace settings)', p.message),
          settingsRemedy('brokerExplorer.rabbitmq.profiles'),
        ),
    );
    return Promise.resolve([...next.values(), ...errors]);
  }

  /** The node of a profile, for commands, tests and reveal. */
  profileNode(name: string): RabbitProfileNode | undefined {
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
