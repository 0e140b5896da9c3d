/**
 * The Redis tree: profile → databases → keys by type or by namespace.
 * Each node loads its own children; paging is a "Load more…" node. A Redis
 * Cluster profile shows database 0's keys directly, after a "Nodes" folder;
 * a Sentinel profile has a "Nodes" folder before its databases.
 */
import { ServerNode } from './serverNodes';
import { describeStream, streamSummary } from '../../core/redis/streams';
import * as vscode from 'vscode';
import type { RedisClient } from '../../core/redis/redisClient';
import { displayBytes } from '../../core/bytes';
import { endpoint, type ResolvedRedisProfile } from '../../core/profiles';
import { formatCount } from '../../core/units';
import { escapeGlob, groupByNamespace, KEY_TYPES, keyspaceCounts, type KeyInfo } from '../../core/redis/keyScanner';
import { describeKey } from '../../core/redis/describeKey';
import { keySlot } from '../../core/redis/hashSlot';
import type { RedisPool } from '../../core/redis/pool';
import type { Settings } from '../settings';
import type { TailRegistry } from '../tails/tailRegistry';
import { keyLocation, keysText, loadTopology, primaryKeys } from '../redis/topology';
import { KeyPager } from './keyPager';
import { NodesFolderNode } from './redisServerNodes';
import { TailsFolderNode } from './tailNodes';
import { BaseNode, ErrorNode, LoadMoreNode, MessageNode, type TreeNode } from './treeNode';
import { contextValue, keyTypeTag } from './contextValue';

export interface RedisTreeContext {
  pool: RedisPool;
  tails: TailRegistry;
  settings(): Settings;
  refresh(node?: TreeNode): void;
  /** The MATCH filter set on a database node, keyed by "profile/db". */
  filters: Map<string, string>;
}

const TYPE_ICONS: Record<string, string> = {
  string: 'symbol-string',
  hash: 'symbol-object',
  list: 'list-ordered',
  set: 'symbol-array',
  zset: 'list-filter',
  stream: 'pulse',
};

export function formatTtl(ttl: number): string {
  if (ttl < 0) return '';
  if (ttl < 120) return `TTL ${ttl}s`;
  if (ttl < 7200) return `TTL ${Math.round(ttl / 60)}m`;
  if (ttl < 172_800) return `TTL ${Math.round(ttl / 3600)}h`;
  return `TTL ${Math.round(ttl / 86_400)}d`;
}

/** The mode shown before the endpoint: none for a single server; "Redis Cluster" is a product name. */
function modeLabel(mode: ResolvedRedisProfile['mode']): string {
  return mode === 'cluster' ? 'Redis Cluster' : mode === 'sentinel' ? vscode.l10n.t('Sentinel') : '';
}

/** `1,234 keys` (`1 key`); `+` after the count when more may follow. */
function keysCount(n: number, more = false): string {
  const count = `${formatCount(n)}${more ? '+' : ''}`;
  return n === 1 && !more ? vscode.l10n.t('{0} key', count) : vscode.l10n.t('{0} keys', count);
}

export class RedisProfileNode extends BaseNode {
  private dbNodes: DatabaseNode[] | undefined;
  readonly tailsFolder: TailsFolderNode;
  /** Cluster and Sentinel profiles: their servers. */
  readonly nodesFolder: NodesFolderNode | undefined;
  /** Server insight: INFO, configuration, slow log, clients, analysis, MONITOR. */
  readonly serverNode: ServerNode;

  constructor(
    readonly ctx: RedisTreeContext,
    readonly profile: ResolvedRedisProfile,
  ) {
    super(`redis/${profile.name}`, undefined);
    this.tailsFolder = new TailsFolderNode(this, ctx.tails, 'redis', profile.name);
    if (profile.mode !== 'standalone') this.nodesFolder = new NodesFolderNode(this, () => loadTopology(ctx.pool, profile.name));
    this.serverNode = new ServerNode(this, profile);
  }

  getTreeItem(): vscode.TreeItem {
    const p = this.profile;
    const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const mode = modeLabel(p.mode);
    const known = this.nodesFolder?.last;
    const keys = p.mode === 'cluster' && known ? ` · ${keysText(primaryKeys(known))}` : '';
    item.description = `${mode ? `${mode} · ` : ''}${endpoint(p)}${keys}${p.readOnly ? ` · ${vscode.l10n.t('read-only')}` : ''}${p.scope === 'workspace' ? ` · ${vscode.l10n.t('workspace')}` : ''}`;
    const insecure = p.tls?.allowSelfSigned ? `\n\n⚠ ${vscode.l10n.t('TLS accepts self-signed certificates (no verification).')}` : '';
    const where = p.mode === 'cluster' ? vscode.l10n.t('Redis Cluster: database 0 only') : `db ${p.db}`;
    const user = p.username ? `, ${vscode.l10n.t('user {0}', p.username)}` : '';
    item.tooltip = `Redis ${mode ? `${mode} ` : ''}${endpoint(p)}, ${where}${user}${p.tls ? ', TLS' : ''}${insecure}`;
    item.iconPath = new vscode.ThemeIcon(p.tls?.allowSelfSigned ? 'warning' : 'database');
    item.contextValue = contextValue('redis:profile', { cluster: p.mode === 'cluster', readonly: p.readOnly });
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const tails = this.tailsFolder.count > 0 ? [this.tailsFolder] : [];
    const nodes = this.nodesFolder ? [this.nodesFolder] : [];
    if (this.profile.mode === 'cluster') return [...tails, ...nodes, this.serverNode, ...(await this.database(0).getChildren())];
    try {
      const client = await this.ctx.pool.get(this.profile.name);
      const counts = await keyspaceCounts(client);
      const dbs = new Set<number>([this.profile.db, ...counts.keys()]);
      for (const node of this.dbNodes ?? []) dbs.add(node.db);
      const previous = new Map((this.dbNodes ?? []).map((n) => [n.db, n]));
      this.dbNodes = [...dbs]
        .sort((a, b) => a - b)
        .map((db) => {
          const node = previous.get(db) ?? new DatabaseNode(this.ctx, this, db);
          node.keyCount = counts.get(db) ?? 0;
          return node;
        });
      return [...tails, ...nodes, this.serverNode, ...this.dbNodes];
    } catch (err) {
      return [...tails, ...nodes, new ErrorNode(`${this.id}/error`, this, err)];
    }
  }

  /** Drops every database's loaded pages (a full refresh scans again). */
  resetDatabases(): void {
    for (const node of this.dbNodes ?? []) node.reset();
  }

  database(db: number): DatabaseNode {
    let node = this.dbNodes?.find((n) => n.db === db);
    if (!node) {
      node = new DatabaseNode(this.ctx, this, db);
      this.dbNodes = [...(this.dbNodes ?? []), node].sort((a, b) => a.db - b.db);
    }
    return node;
  }
}

export class DatabaseNode extends BaseNode {
  keyCount: number | undefined;
  private groups: TreeNode[] | undefined;
  private groupedBy: string | undefined;

  constructor(
    readonly ctx: RedisTreeContext,
    readonly profileNode: RedisProfileNode,
    readonly db: number,
  ) {
    super(`${profileNode.id}/db${db}`, profileNode);
  }

  get profile(): ResolvedRedisProfile {
    return this.profileNode.profile;
  }

  /** The node the view shows for the database: the profile on a cluster (no database level there). */
  get shown(): TreeNode {
    return this.profile.mode === 'cluster' ? this.profileNode : this;
  }

  get filterKey(): string {
    return `${this.profile.name}/${this.db}`;
  }

  get filter(): string | undefined {
    return this.ctx.filters.get(this.filterKey);
  }

  client(): Promise<RedisClient> {
    return this.ctx.pool.get(this.profile.name, this.db);
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(`db${this.db}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const count = this.keyCount !== undefined ? keysCount(this.keyCount) : '';
    item.description = [count, this.filter ? vscode.l10n.t('filter: {0}', this.filter) : ''].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon('layers');
    item.contextValue = contextValue('redis:db', { filtered: this.filter !== undefined, readonly: this.profile.readOnly });
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const grouping = this.ctx.settings().redisGrouping;
    const filter = this.filter;
    const mode = `${grouping}\u0000${filter ?? ''}`;
    if (!this.groups || this.groupedBy !== mode) {
      this.groupedBy = mode;
      const match = filter !== undefined ? Buffer.from(filter, 'utf8') : undefined;
      this.groups =
        grouping === 'type'
          ? KEY_TYPES.map((t) => new TypeGroupNode(this, t, match))
          : [new NamespaceNode(this, this, Buffer.alloc(0), Buffer.alloc(0), match)];
    }
    if (grouping === 'namespace') return (this.groups[0] as NamespaceNode).getChildren();
    return this.groups;
  }

  /** Drops loaded pages so the next expand scans again. */
  reset(): void {
    this.groups = undefined;
  }
}

/** Shared behaviour of nodes that list keys with a pager. */
abstract class PagedKeysNode extends BaseNode {
  protected readonly pager: KeyPager;

  constructor(
    id: string,
    parent: TreeNode,
    readonly dbNode: DatabaseNode,
    query: ConstructorParameters<typeof KeyPager>[1],
  ) {
    super(id, parent);
    this.pager = new KeyPager(
      () => dbNode.client(),
      query,
      () => dbNode.ctx.settings(),
    );
  }

  /** The node the view shows for this list (the database for the namespace root). */
  protected get shownAs(): TreeNode {
    return this;
  }

  /** Why the last "Load more" failed: shown in its place, retried on the next expand / Retry. */
  private loadError: unknown;

  protected async ensureLoaded(): Promise<ErrorNode | undefined> {
    if (this.pager.started && this.loadError === undefined) return undefined;
    try {
      await this.pager.loadMore();
      this.loadError = undefined;
      return undefined;
    } catch (err) {
      if (!this.pager.started) return new ErrorNode(`${this.id}/error`, this.shownAs, err);
      this.loadError = err;
      return undefined;
    }
  }

  protected tail(): TreeNode[] {
    const out: TreeNode[] = [];
    if (this.loadError !== undefined) {
      out.push(new ErrorNode(`${this.id}/more-error`, this.shownAs, this.loadError));
    } else if (this.pager.capped) {
      const max = this.dbNode.ctx.settings().maxItemsPerNode;
      out.push(
        new MessageNode(
          `${this.id}/cap`,
          this.shownAs,
          vscode.l10n.t('Showing the first {0} keys: set a filter on the database to narrow the list.', formatCount(max)),
          'filter',
        ),
      );
    } else if (!this.pager.complete) {
      out.push(
        new LoadMoreNode(`${this.id}/more`, this.shownAs, this.pager.progress(this.dbNode.keyCount), async () => {
          try {
            await this.pager.loadMore();
            this.loadError = undefined;
          } catch (err) {
            // The keys loaded so far stay; the error takes the place of "Load more…" and offers Retry.
            this.loadError = err;
            throw err;
          } finally {
            this.dbNode.ctx.refresh(this.shownAs);
          }
        }),
      );
    }
    return out;
  }

  keyNode(info: KeyInfo): KeyNode {
    return new KeyNode(this.dbNode, this.shownAs, info);
  }
}

export class TypeGroupNode extends PagedKeysNode {
  constructor(
    dbNode: DatabaseNode,
    readonly type: string,
    match: Buffer | undefined,
  ) {
    super(`${dbNode.id}/type/${type}`, dbNode.shown, dbNode, { type, ...(match ? { match } : {}) });
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.type, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(TYPE_ICONS[this.type] ?? 'key');
    if (this.pager.started) item.description = keysCount(this.pager.keys.length, !this.pager.complete);
    item.contextValue = contextValue('redis:typeGroup', { readonly: this.dbNode.profile.readOnly });
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const error = await this.ensureLoaded();
    if (error) return [error];
    const keys = this.pager.keys.map((k) => this.keyNode(k));
    if (keys.length === 0 && this.pager.complete)
      return [
        new MessageNode(
          `${this.id}/empty`,
          this,
          this.dbNode.filter ? vscode.l10n.t('No {0} keys match the filter.', this.type) : vscode.l10n.t('No {0} keys.', this.type),
        ),
      ];
    return [...keys, ...this.tail()];
  }
}

export class NamespaceNode extends PagedKeysNode {
  /** Keys of this folder seen by the parent's pages so far. */
  seen = 0;
  private readonly folders = new Map<string, NamespaceNode>();

  protected override get shownAs(): TreeNode {
    return this.prefix.length === 0 ? this.dbNode.shown : this;
  }

  constructor(
    dbNode: DatabaseNode,
    parent: TreeNode,
    readonly prefix: Buffer,
    readonly segment: Buffer,
    filter: Buffer | undefined,
  ) {
    const root = prefix.length === 0;
    const match = root ? filter : Buffer.concat([escapeGlob(prefix), Buffer.from('*')]);
    super(`${dbNode.id}/ns/${prefix.toString('hex')}`, parent, dbNode, {
      ...(match ? { match } : {}),
      ...(!root && filter ? { postFilter: filter } : {}),
    });
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(displayBytes(this.segment), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('folder');
    item.description = this.pager.started ? keysCount(this.pager.keys.length, !this.pager.complete) : keysCount(this.seen, true);
    item.tooltip = vscode.l10n.t('Keys starting with {0}', displayBytes(this.prefix));
    item.contextValue = contextValue('redis:namespace', { readonly: this.dbNode.profile.readOnly });
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const error = await this.ensureLoaded();
    if (error) return [error];
    const group = groupByNamespace(this.pager.keys, this.prefix, this.dbNode.profile.delimiter);
    const folders = [...group.folders.values()]
      .sort((a, b) => Buffer.compare(a.segment, b.segment))
      .map((f) => {
        const id = f.prefix.toString('hex');
        let node = this.folders.get(id);
        if (!node) {
          node = new NamespaceNode(
            this.dbNode,
            this.shownAs,
            f.prefix,
            f.segment,
            this.dbNode.filter !== undefined ? Buffer.from(this.dbNode.filter) : undefined,
          );
          this.folders.set(id, node);
        }
        node.seen = f.count;
        return node;
      });
    const leaves = group.leaves.map((k) => this.keyNode(k));
    if (folders.length === 0 && leaves.length === 0 && this.pager.complete) {
      return [
        new MessageNode(
          `${this.id}/empty`,
          this.shownAs,
          this.dbNode.filter ? vscode.l10n.t('No keys match the filter.') : vscode.l10n.t('No keys.'),
        ),
      ];
    }
    return [...folders, ...leaves, ...this.tail()];
  }
}

export class KeyNode extends BaseNode {
  constructor(
    readonly dbNode: DatabaseNode,
    parent: TreeNode,
    readonly info: KeyInfo,
  ) {
    super(`${dbNode.id}/key/${info.key.toString('hex')}/${parent.id.length}`, parent);
  }

  get key(): Buffer {
    return this.info.key;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(displayBytes(this.info.key, 120), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(TYPE_ICONS[this.info.type] ?? 'key');
    item.description = formatTtl(this.info.ttl);
    item.contextValue = contextValue(`redis:key:${keyTypeTag(this.info.type)}`, { readonly: this.dbNode.profile.readOnly });
    item.command = { command: 'brokerExplorer.redis.openKey', title: vscode.l10n.t('Open Value'), arguments: [this] };
    return item;
  }

  async resolveTooltip(): Promise<vscode.MarkdownString> {
    const client = await this.dbNode.client();
    const d = await describeKey(client, this.info.key);
    const md = new vscode.MarkdownString();
    md.appendText(`${displayBytes(this.info.key, 400)}\n`);
    const memory = d.memoryBytes !== undefined ? vscode.l10n.t('{0} bytes', formatCount(d.memoryBytes)) : '?';
    md.appendMarkdown(`\n${vscode.l10n.t('**type** {0} · **encoding** {1} · **memory** {2}', d.type, d.encoding ?? '?', memory)}`);
    const ttl = d.ttl < 0 ? vscode.l10n.t('none') : vscode.l10n.t('{0} s', d.ttl);
    md.appendMarkdown(`\n\n${vscode.l10n.t('**TTL** {0} · db {1} of {2}', ttl, this.dbNode.db, this.dbNode.profile.name)}`);
    if (this.dbNode.profile.mode === 'cluster') {
      const at = await keyLocation(this.dbNode.ctx.pool, this.dbNode.profile.name, this.info.key).catch(() => undefined);
      md.appendMarkdown(`\n\n${vscode.l10n.t('**hash slot** {0} · **node** {1}', at?.slot ?? keySlot(this.info.key), at?.node ?? '?')}`);
    }
    if (d.type === 'stream') {
      const summary = await streamSummary(client, this.info.key).catch(() => undefined);
      if (summary) md.appendMarkdown(`\n\n${vscode.l10n.t('**stream** {0}', describeStream(summary))}`);
    }
    return md;
  }
}
