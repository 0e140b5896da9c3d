/**
 * The paging state of one key list in the tree: the SCAN cursor, the keys
 * loaded so far (at most maxItemsPerNode), and how far the walk got.
 * SCAN cannot stop inside a batch, so keys found beyond a page are held
 * back (at most one batch) and shown first by the next "Load more".
 */
import * as l10n from '@vscode/l10n';
import type { RedisClient } from '../../core/redis/redisClient';
import { formatCount } from '../../core/units';
import { globMatch } from '../../core/redis/globMatch';
import { keyInfos, scanKeysPage, type KeyInfo } from '../../core/redis/keyScanner';
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
  /** The server walk is over (held-back keys may remain). */
  walked = false;
  /** About how many keys SCAN examined in all. */
  scanned = 0;
  capped = false;
  private held: Buffer[] = [];

  constructor(
    private readonly client: () => Promise<RedisClient>,
    private readonly query: KeyPagerQuery,
    private readonly settings: () => Settings,
  ) {}

  get complete(): boolean {
    return this.walked && this.held.length === 0;
  }

  /** Loads the next page (the first when nothing was loaded). */
  async loadMore(): Promise<void> {
    if (this.complete || this.capped) return;
    const s = this.settings();
    const want = Math.min(s.redisPageSize, s.maxItemsPerNode - this.keys.length);
    const client = await this.client();
    const post = this.query.postFilter;
    while (this.held.length < want && !this.walked) {
      const page = await scanKeysPage(client, {
        ...(this.query.match ? { match: this.query.match } : {}),
        ...(this.query.type ? { type: this.query.type } : {}),
        cursor: this.cursor,
        limit: want - this.held.length,
        // Unfiltered too: at least scanCount per SCAN (fewer round trips); keys beyond the page are held back.
        count: this.query.match || this.query.type ? s.redisScanCount : Math.max(want, s.redisScanCount),
        maxExamine: s.redisMaxExamine,
        withInfo: false,
      });
      this.cursor = page.cursor;
      this.walked = page.complete;
      this.scanned += page.scanned;
      for (const k of page.keys) if (!post || globMatch(post, k.key)) this.held.push(k.key);
      // A filtered page stops at its examine budget: show what was found and offer "Load more".
      if (page.scanned >= s.redisMaxExamine) break;
    }
    const slice = this.held.slice(0, want);
    const infos = await keyInfos(client, slice, this.query.type);
    // Only once TYPE/TTL answered: a failure here keeps the keys for the retry.
    this.held.splice(0, slice.length);
    for (const info of infos) if (info.type !== 'none') this.keys.push(info);
    this.started = true;
    if (this.keys.length >= s.maxItemsPerNode && !this.complete) this.capped = true;
  }

  /** "scanned 40,000 of 1,000,000 keys, 3 matches" (@vscode/l10n: this file also runs outside VS Code, in the benchmarks). */
  progress(total: number | undefined): string {
    const scanned = formatCount(total !== undefined ? Math.min(this.scanned, total) : this.scanned);
    const found = formatCount(this.keys.length);
    const one = this.keys.length === 1;
    if (total === undefined)
      return one ? l10n.t('scanned {0} keys, {1} match', scanned, found) : l10n.t('scanned {0} keys, {1} matches', scanned, found);
    const all = formatCount(total);
    return one
      ? l10n.t('scanned {0} of {1} keys, {2} match', scanned, all, found)
      : l10n.t('scanned {0} of {1} keys, {2} matches', scanned, all, found);
  }
}
