import * as vscode from 'vscode';
import type { ResolvedRabbitProfile } from '../../core/profiles';
import type { ProfileStore } from '../profileStore';
import { BaseNode, ErrorNode, NodeTreeProvider, type TreeNode } from './treeNode';

export class RabbitProfileNode extends BaseNode {
  constructor(readonly profile: ResolvedRabbitProfile) {
    super(`rabbitmq/${profile.name}`, undefined);
  }

  getTreeItem(): vscode.TreeItem {
    const p = this.profile;
    const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `${p.host}:${p.port}${p.readOnly ? ' · read-only' : ''}${p.scope === 'workspace' ? ' · workspace' : ''}`;
    item.tooltip = `RabbitMQ ${p.url}\nManagement API ${p.managementUrl}${p.tls?.allowSelfSigned ? '\n\n⚠ TLS accepts self-signed certificates (no verification).' : ''}`;
    item.iconPath = new vscode.ThemeIcon(p.tls?.allowSelfSigned ? 'warning' : 'server-environment');
    item.contextValue = `be:rabbitmq:profile${p.readOnly ? '+readonly' : ''}`;
    return item;
  }
}

export class RabbitTree extends NodeTreeProvider {
  constructor(private readonly profiles: ProfileStore) {
    super(() => this.rootNodes());
  }

  private async rootNodes(): Promise<TreeNode[]> {
    const { profiles, problems } = this.profiles.rabbitProfiles();
    return [
      ...profiles.map((p) => new RabbitProfileNode(p)),
      ...problems.map((p, i) => new ErrorNode(`rabbitmq/problem/${i}`, undefined, `${p.message} (${p.scope === 'global' ? 'user' : 'workspace'} settings)`)),
    ];
  }

  children(node?: TreeNode): Promise<TreeNode[]> {
    return this.getChildren(node);
  }
}
