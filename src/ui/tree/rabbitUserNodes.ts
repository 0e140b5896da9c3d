/**
 * A profile's "Users" folder (for administrators): every user with its tags
 * (paged), and under each its permissions per vhost and its topic
 * permissions. A management user without the administrator tag sees one
 * sentence (an error node with Retry) instead. The items are
 * `be:rabbitmq:users` / `be:rabbitmq:user`, so "Set User…", "Set
 * Permissions…" and "Delete User…" reach them.
 */
import * as vscode from 'vscode';
import { listUserAccess, listUsers } from '../../core/amqp/managementAdmin';
import type { Page } from '../../core/amqp/managementTypes';
import type { UserInfo } from '../../core/amqp/operationsTypes';
import { errorMessage } from '../../core/errors';
import type { ResolvedRabbitProfile } from '../../core/profiles';
import { formatCount } from '../../core/units';
import { contextValue } from './contextValue';
import type { Invalidatable, RabbitTreeContext } from './rabbitContext';
import { ListPager, loadOrError, pagedChildren, seg } from './rabbitPager';
import { BaseNode, ErrorNode, MessageNode, type TreeNode } from './treeNode';

export class UsersFolder extends BaseNode implements Invalidatable {
  readonly pager: ListPager<UserInfo>;

  constructor(
    parent: TreeNode,
    readonly ctx: RabbitTreeContext,
    readonly profile: ResolvedRabbitProfile,
  ) {
    super(`${parent.id}/users`, parent);
    this.pager = new ListPager<UserInfo>(
      (page, pageSize) => this.fetch(page, pageSize),
      (u) => u.name,
      () => ctx.settings(),
    );
  }

  private async fetch(page: number, pageSize: number): Promise<Page<UserInfo>> {
    const m = (await this.ctx.pool.session(this.profile.name)).management();
    return listUsers(m, { page, pageSize });
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Users'), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    if (this.pager.started) item.description = formatCount(this.pager.total);
    item.tooltip = vscode.l10n.t('Users, their tags, permissions and topic permissions (needs the administrator tag)');
    item.iconPath = new vscode.ThemeIcon('organization');
    item.contextValue = contextValue('rabbitmq:users', { readonly: this.profile.readOnly });
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const error = await loadOrError(this, this.pager);
    if (error) return [error];
    const nodes = this.pager.items.map((u) => new UserNode(this, u));
    return pagedChildren(this, this.ctx, this.pager, nodes, 'users', false);
  }

  invalidate(): void {
    this.pager.invalidate();
  }
}

/** One user: its tags; its permissions and topic permissions as children. */
export class UserNode extends BaseNode {
  constructor(
    readonly folder: UsersFolder,
    readonly user: UserInfo,
  ) {
    super(`${folder.id}/${seg(user.name)}`, folder);
  }

  get profile(): ResolvedRabbitProfile {
    return this.folder.profile;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.user.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = this.user.tags.length > 0 ? this.user.tags.join(', ') : vscode.l10n.t('no tags');
    const who =
      this.user.name === this.profile.username
        ? vscode.l10n.t('user {0} (this profile logs in as it)', this.user.name)
        : vscode.l10n.t('user {0}', this.user.name);
    item.tooltip = `${who}\n${vscode.l10n.t('tags: {0}', this.user.tags.join(', ') || vscode.l10n.t('none'))}`;
    item.iconPath = new vscode.ThemeIcon(this.user.tags.includes('administrator') ? 'shield' : 'person');
    item.contextValue = contextValue('rabbitmq:user', { readonly: this.profile.readOnly });
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    let access;
    try {
      const m = (await this.folder.ctx.pool.session(this.profile.name)).management();
      access = await listUserAccess(m, this.user.name);
    } catch (err) {
      return [new ErrorNode(`${this.id}/error`, this, errorMessage(err))];
    }
    const out: TreeNode[] = access.permissions.map(
      (p) =>
        new MessageNode(
          `${this.id}/p/${seg(p.vhost)}`,
          this,
          vscode.l10n.t('vhost {0}: configure {1} · write {2} · read {3}', p.vhost, show(p.configure), show(p.write), show(p.read)),
          'key',
          vscode.l10n.t('Permissions of "{0}" on vhost "{1}" (regular expressions on resource names)', this.user.name, p.vhost),
        ),
    );
    for (const t of access.topicPermissions)
      out.push(
        new MessageNode(
          `${this.id}/t/${seg(t.vhost)}/${seg(t.exchange)}`,
          this,
          vscode.l10n.t('topic · vhost {0} · exchange {1}: write {2} · read {3}', t.vhost, t.exchange, show(t.write), show(t.read)),
          'symbol-namespace',
          vscode.l10n.t(
            'Topic permissions of "{0}" on exchange "{1}" of vhost "{2}" (regular expressions on routing keys)',
            this.user.name,
            t.exchange,
            t.vhost,
          ),
        ),
      );
    if (out.length === 0) out.push(new MessageNode(`${this.id}/none`, this, vscode.l10n.t('No permissions on any vhost.')));
    return out;
  }
}

/** An empty permission is "none", not a blank. */
function show(regex: string): string {
  return regex === '' ? vscode.l10n.t('(none)') : regex;
}
