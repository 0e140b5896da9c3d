/**
 * The paging state of one RabbitMQ list in the tree (vhosts, exchanges,
 * queues, bindings): pages of `brokerExplorer.rabbitmq.pageSize` loaded on
 * demand, at most `maxItemsPerNode` items, and reloaded — as many pages as
 * were shown — once the node was marked stale by a refresh.
 */
import * as vscode from 'vscode';
import type { Page } from '../../core/amqp/managementTypes';
import { formatCount } from '../../core/units';
import type { Settings } from '../settings';
import { ErrorNode, LoadMoreNode, MessageNode, type TreeNode } from './treeNode';

export type PageFetch<T> = (page: number, pageSize: number) => Promise<Page<T>>;

export class ListPager<T> {
  items: T[] = [];
  total = 0;
  unfilteredTotal = 0;
  private pages = 0;
  private pageCount = 0;
  private pageSize = 0;
  private stale = true;

  constructor(
    private readonly fetch: PageFetch<T>,
    private readonly keyOf: (item: T) => string,
    private readonly settings: () => Settings,
  ) {}

  /** At least one page was loaded. */
  get started(): boolean {
    return this.pages > 0;
  }

  get complete(): boolean {
    return this.started && this.pages >= this.pageCount;
  }

  /** More pages exist but the node already holds maxItemsPerNode items. */
  get capped(): boolean {
    return this.started && !this.complete && this.items.length >= this.settings().maxItemsPerNode;
  }

  /** Loads the first page, or reloads the shown pages after `invalidate()`. */
  async ensure(): Promise<void> {
    if (!this.stale && this.started) return;
    const size = this.settings().rabbitPageSize;
    const wanted = this.started && size === this.pageSize ? this.pages : 1;
    const collected: T[] = [];
    let last: Page<T> | undefined;
    let loaded = 0;
    for (let page = 1; page <= wanted; page++) {
      last = await this.fetch(page, size);
      collected.push(...last.items);
      loaded = page;
      if (page >= last.pageCount) break;
    }
    this.items = dedupe(collected, this.keyOf);
    this.pageSize = size;
    this.pages = Math.max(1, loaded);
    this.counts(last);
    this.stale = false;
  }

  /** Appends the next page. */
  async loadMore(): Promise<void> {
    if (!this.started) return this.ensure();
    if (this.complete || this.capped) return;
    const page = await this.fetch(this.pages + 1, this.pageSize);
    this.items = dedupe([...this.items, ...page.items], this.keyOf);
    this.pages++;
    this.counts(page);
  }

  /** The next `ensure()` reloads from the broker. */
  invalidate(): void {
    this.stale = true;
  }

  /** Forgets every page (after the filter changed). */
  reset(): void {
    this.items = [];
    this.pages = 0;
    this.pageCount = 0;
    this.stale = true;
  }

  /** "100 of 2,345" */
  progress(): string {
    return vscode.l10n.t('{0} of {1}', formatCount(this.items.length), formatCount(this.total));
  }

  private counts(page: Page<T> | undefined): void {
    if (!page) return;
    this.total = page.total;
    this.unfilteredTotal = page.unfilteredTotal;
    this.pageCount = page.pageCount;
  }
}

function dedupe<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of items) {
    const key = keyOf(item);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

/** What a paged node needs from the tree. */
export interface PagedOwnerContext {
  settings(): Settings;
  /** Redraws a node without reloading it. */
  redraw(node?: TreeNode): void;
}

/** A name as one segment of a tree item id. */
export const seg = (s: string): string => encodeURIComponent(s);

/** What a paged list holds. */
export type PagedNoun =
  'vhosts' | 'exchanges' | 'queues' | 'bindings' | 'users' | 'nodes' | 'connections' | 'channels' | 'consumers' | 'policies';

/** The noun in the display language. */
function nounText(noun: PagedNoun): string {
  switch (noun) {
    case 'vhosts':
      return vscode.l10n.t('vhosts');
    case 'exchanges':
      return vscode.l10n.t('exchanges');
    case 'queues':
      return vscode.l10n.t('queues');
    case 'bindings':
      return vscode.l10n.t('bindings');
    case 'users':
      return vscode.l10n.t('users');
    case 'nodes':
      return vscode.l10n.t('nodes');
    case 'connections':
      return vscode.l10n.t('connections');
    case 'channels':
      return vscode.l10n.t('channels');
    case 'consumers':
      return vscode.l10n.t('consumers');
    case 'policies':
      return vscode.l10n.t('policies');
  }
}

/** Children of a paged list: the items, then "Load more…", a cap notice or an empty-state line. */
export function pagedChildren<T>(
  owner: TreeNode,
  ctx: PagedOwnerContext,
  pager: ListPager<T>,
  nodes: TreeNode[],
  noun: PagedNoun,
  filtered: boolean,
): TreeNode[] {
  const out = [...nodes];
  const what = nounText(noun);
  if (pager.capped) {
    const max = formatCount(ctx.settings().maxItemsPerNode);
    out.push(
      new MessageNode(
        `${owner.id}/cap`,
        owner,
        vscode.l10n.t('Showing the first {0} {1}: set a filter to narrow the list.', max, what),
        'filter',
      ),
    );
  } else if (!pager.complete) {
    out.push(
      new LoadMoreNode(`${owner.id}/more`, owner, pager.progress(), async () => {
        await pager.loadMore();
        ctx.redraw(owner);
      }),
    );
  }
  if (nodes.length === 0 && pager.complete) {
    out.push(
      new MessageNode(
        `${owner.id}/empty`,
        owner,
        filtered ? vscode.l10n.t('No {0} match the filter.', what) : vscode.l10n.t('No {0}.', what),
      ),
    );
  }
  return out;
}

/** Loads the first page (or reloads a stale list); a failure becomes an error node with Retry. */
export async function loadOrError<T>(owner: TreeNode, pager: ListPager<T>): Promise<ErrorNode | undefined> {
  try {
    await pager.ensure();
    return undefined;
  } catch (err) {
    return new ErrorNode(`${owner.id}/error`, owner, err);
  }
}
