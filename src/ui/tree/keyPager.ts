/**
 * The paging state of one key list in the tree: the SCAN cursor, the keys
 * loaded so far (at most maxItemsPerNode), and how far the walk got.
 */
import type { Redis } from 'ioredis';
import { globMatch } from '../../core/redis/globMatch';
import { scanKeysPage, type KeyInfo } from '../../core/redis/keyScanner';
import type { Settings } from '../settings';

export interface KeyPagerQuery {
  match?: Buffer;
  type?: string;
  /** Narrowing applied on our side after MATCH (a user filter inside a namespace). */
  postFilter?: Buffer;
}

export class KeyPager {
  keys: KeyInfo[] = [];
  cursor = '0';
  started = false;
  complete = false;
  /** About how many keys SCAN examined in all. */
  scanned = 0;
  capped = false;

  constructor(
    private readonly client: () => Promise<Redis>,
    private readonly query: KeyPagerQuery,
    private readonly settings: () => Settings,
  ) {}

  /** Loads the next page (the first when nothing was loaded). */
  async loadMore(): Promise<void> {
    if (this.complete || this.capped) return;
    const s = this.settings();
    const client = await this.client();
    const page = await scanKeysPage(client, {
      ...(this.query.match ? { match: this.query.match } : {}),
      ...(this.query.type ? { type: this.query.type } : {}),
      cursor: this.cursor,
      limit: Math.min(s.redisPageSize, s.maxItemsPerNode - this.keys.length),
      count: this.query.match || this.query.type ? s.redisScanCount : Math.max(s.redisPageSize, 10),
      maxExamine: s.redisMaxExamine,
    });
    const post = this.query.postFilter;
    for (const k of page.keys) {
      if (k.type === 'none') continue;
      if (post && !globMatch(post, k.key)) continue;
      this.keys.push(k);
    }
    this.started = true;
    this.cursor = page.cursor;
    this.complete = page.complete;
    this.scanned += page.scanned;
    if (this.keys.length >= s.maxItemsPerNode && !this.complete) this.capped = true;
  }

  /** "scanned 40,000 of 1,000,000 keys, 3 matches" */
  progress(total: number | undefined): string {
    const scanned = total !== undefined ? Math.min(this.scanned, total) : this.scanned;
    const of = total !== undefined ? ` of ${total.toLocaleString('en-US')}` : '';
    return `scanned ${scanned.toLocaleString('en-US')}${of} keys, ${this.keys.length.toLocaleString('en-US')} ${this.keys.length === 1 ? 'match' : 'matches'}`;
  }

  reset(): void {
    this.keys = [];
    this.cursor = '0';
    this.started = false;
    this.complete = false;
    this.scanned = 0;
    this.capped = false;
  }
}
