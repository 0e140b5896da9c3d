/**
 * The "Server" node under a Redis profile: one leaf per insight (INFO,
 * configuration, slow log, clients, latency & memory, keyspace analysis,
 * MONITOR, keyspace notifications), each running its command on click. On a
 * cluster profile it lists the seed nodes first, and each node's leaves
 * carry its address (the commands' `node`).
 */
import * as vscode from 'vscode';
import { endpoint, type ResolvedRedisProfile } from '../../core/profiles';
import { BaseNode, type TreeNode } from './treeNode';

/** The insights, in the order shown: label (localized when shown), codicon, command. */
export const SERVER_ACTIONS = [
  { label: () => vscode.l10n.t('Info'), icon: 'info', command: 'brokerExplorer.redis.serverInfo' },
  { label: () => vscode.l10n.t('Configuration'), icon: 'settings-gear', command: 'brokerExplorer.redis.serverConfig' },
  { label: () => vscode.l10n.t('Slow Log'), icon: 'watch', command: 'brokerExplorer.redis.slowlog' },
  { label: () => vscode.l10n.t('Clients'), icon: 'person', command: 'brokerExplorer.redis.clientList' },
  { label: () => vscode.l10n.t('Latency & Memory'), icon: 'pulse', command: 'brokerExplorer.redis.serverMemory' },
  { label: () => vscode.l10n.t('Analyze Keyspace'), icon: 'graph', command: 'brokerExplorer.redis.analyzeKeyspace' },
  { label: () => vscode.l10n.t('Dashboard'), icon: 'dashboard', command: 'brokerExplorer.redis.openDashboard' },
  { label: () => vscode.l10n.t('Monitor'), icon: 'eye', command: 'brokerExplorer.redis.monitor' },
  { label: () => vscode.l10n.t('Keyspace Notifications'), icon: 'bell', command: 'brokerExplorer.redis.keyspaceEvents' },
] as const;

// contextValue written here (not through contextValue.ts, which belongs to the tree's owner): `be:redis:server[+readonly]`.
const serverContext = (profile: ResolvedRedisProfile): string => `be:redis:server${profile.readOnly ? '+readonly' : ''}`;

/** The profile a server node stands for, and the node (`host:port`) on a cluster. */
export interface ServerScope {
  readonly profile: ResolvedRedisProfile;
  /** A cluster node's address; undefined for the profile's server. */
  readonly address: string | undefined;
}

export class ServerNode extends BaseNode implements ServerScope {
  readonly address = undefined;

  constructor(
    parent: TreeNode,
    readonly profile: ResolvedRedisProfile,
  ) {
    super(`redis/${profile.name}/server`, parent);
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Server'), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('server');
    item.tooltip = vscode.l10n.t('INFO, configuration, slow log, clients, memory, keyspace analysis, MONITOR and keyspace notifications');
    item.contextValue = serverContext(this.profile);
    return item;
  }

  getChildren(): Promise<TreeNode[]> {
    if (this.profile.mode === 'cluster') {
      const nodes = this.profile.nodes ?? [{ host: this.profile.host, port: this.profile.port }];
      return Promise.resolve(nodes.map((n) => new ServerMemberNode(this, this.profile, endpoint(n))));
    }
    return Promise.resolve(actionNodes(this, this));
  }
}

/** One cluster node under "Server". */
export class ServerMemberNode extends BaseNode implements ServerScope {
  constructor(
    parent: TreeNode,
    readonly profile: ResolvedRedisProfile,
    readonly address: string,
  ) {
    super(`${parent.id}/${address}`, parent);
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.address, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('vm');
    item.contextValue = serverContext(this.profile);
    return item;
  }

  getChildren(): Promise<TreeNode[]> {
    return Promise.resolve(actionNodes(this, this));
  }
}

/** A leaf that runs one insight command with itself as the argument. */
export class ServerActionNode extends BaseNode implements ServerScope {
  readonly profile: ResolvedRedisProfile;
  readonly address: string | undefined;

  constructor(
    parent: TreeNode,
    scope: ServerScope,
    private readonly action: (typeof SERVER_ACTIONS)[number],
  ) {
    super(`${parent.id}/${action.command}`, parent);
    this.profile = scope.profile;
    this.address = scope.address;
  }

  getTreeItem(): vscode.TreeItem {
    const label = this.action.label();
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.action.icon);
    item.contextValue = `${serverContext(this.profile)}Action`.replace(/(\+readonly)Action$/, 'Action$1');
    item.command = { command: this.action.command, title: label, arguments: [this] };
    return item;
  }
}

function actionNodes(parent: TreeNode, scope: ServerScope): TreeNode[] {
  return SERVER_ACTIONS.map((a) => new ServerActionNode(parent, scope, a));
}

/** The server scope a tree node belongs to, if any. */
export function serverScopeOf(node: TreeNode | undefined): ServerScope | undefined {
  for (let n = node; n; n = n.parent) {
    if (n instanceof ServerActionNode || n instanceof ServerMemberNode || n instanceof ServerNode) return n;
  }
  return undefined;
}
