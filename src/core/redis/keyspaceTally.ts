/**
 * The bounded tallies of a keyspace analysis: the N largest items (a min
 * heap: memory O(N) however many keys go by), the memory by namespace
 * prefix (a tree bounded in depth and in total nodes, with an "other"
 * bucket per level once full) and the TTL histogram.
 */
import { fromBuffer, type BytesLike } from '../bytes';

/** Keeps the `size` items with the largest `score`; `sorted()` gives them largest first. */
export class TopN<T> {
  private readonly heap: { score: number; item: T }[] = [];

  constructor(readonly size: number) {}

  /** Offers an item; kept only while among the largest `size`. */
  offer(score: number, item: () => T): void {
    const heap = this.heap;
    if (this.size <= 0) return;
    if (heap.length < this.size) {
      heap.push({ score, item: item() });
      this.up(heap.length - 1);
    } else if (score > heap[0].score) {
      heap[0] = { score, item: item() };
      this.down(0);
    }
  }

  sorted(): T[] {
    return [...this.heap].sort((a, b) => b.score - a.score).map((e) => e.item);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].score <= h[i].score) return;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l].score < h[m].score) m = l;
      if (r < h.length && h[r].score < h[m].score) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }
}

/** One namespace in the result: its prefix (ending with the delimiter), keys and bytes below it, and its sub-namespaces. */
export interface PrefixStats {
  prefix: BytesLike;
  keys: number;
  bytes: number;
  /** True for the bucket holding the namespaces past the width limit of its level. */
  other?: boolean;
  children?: PrefixStats[];
}

interface PrefixNode {
  prefix: Buffer;
  keys: number;
  bytes: number;
  children: Map<string, PrefixNode>;
  /** Keys below this node whose next namespace did not fit any more. */
  other?: { keys: number; bytes: number };
}

export interface PrefixBounds {
  /** Namespace levels kept (default 4). */
  depth: number;
  /** Namespaces kept in all (default 5,000); later new ones count in their parent's "other" bucket. */
  maxNodes: number;
}

export const DEFAULT_PREFIX_BOUNDS: PrefixBounds = { depth: 4, maxNodes: 5_000 };

/**
 * Memory and key counts by namespace prefix, split on the delimiter. Keys
 * with no delimiter at all are the top level's entry with prefix "".
 */
export class PrefixTree {
  private readonly root: PrefixNode = { prefix: Buffer.alloc(0), keys: 0, bytes: 0, children: new Map() };
  private nodes = 0;
  private readonly delimiter: Buffer;

  constructor(
    delimiter: string,
    private readonly bounds: PrefixBounds = DEFAULT_PREFIX_BOUNDS,
  ) {
    this.delimiter = Buffer.from(delimiter, 'utf8');
  }

  add(key: Buffer, bytes: number): void {
    let node = this.root;
    node.keys++;
    node.bytes += bytes;
    let from = 0;
    for (let level = 0; level < this.bounds.depth && this.delimiter.length > 0; level++) {
      const at = key.indexOf(this.delimiter, from);
      if (at < 0) return;
      const end = at + this.delimiter.length;
      const id = key.toString('latin1', from, end);
      let child = node.children.get(id);
      if (!child) {
        if (this.nodes >= this.bounds.maxNodes) {
          node.other ??= { keys: 0, bytes: 0 };
          node.other.keys++;
          node.other.bytes += bytes;
          return;
        }
        child = { prefix: Buffer.from(key.subarray(0, end)), keys: 0, bytes: 0, children: new Map() };
        node.children.set(id, child);
        this.nodes++;
      }
      child.keys++;
      child.bytes += bytes;
      node = child;
      from = end;
    }
  }

  /** The top level's namespaces, largest first (by bytes), each with its children; "other" buckets last. */
  result(): PrefixStats[] {
    const top = this.level(this.root);
    const inLevels = top.reduce((sum, s) => ({ keys: sum.keys + s.keys, bytes: sum.bytes + s.bytes }), { keys: 0, bytes: 0 });
    const direct = { keys: this.root.keys - inLevels.keys, bytes: this.root.bytes - inLevels.bytes };
    if (direct.keys > 0) top.push({ prefix: '', keys: direct.keys, bytes: direct.bytes });
    return top;
  }

  private level(node: PrefixNode): PrefixStats[] {
    const out = [...node.children.values()]
      .sort((a, b) => b.bytes - a.bytes || b.keys - a.keys)
      .map((c): PrefixStats => {
        const children = this.level(c);
        return { prefix: fromBuffer(c.prefix), keys: c.keys, bytes: c.bytes, ...(children.length > 0 ? { children } : {}) };
      });
    if (node.other) {
      const prefix = Buffer.concat([node.prefix, Buffer.from('*')]);
      out.push({ prefix: fromBuffer(prefix), keys: node.other.keys, bytes: node.other.bytes, other: true });
    }
    return out;
  }
}

/** TTL buckets: keys expiring within each bound (seconds); `null` is "later". */
export const TTL_BOUNDS: readonly number[] = [60, 3_600, 86_400, 604_800, 2_592_000];

export interface TtlDistribution {
  /** Keys without a TTL. */
  none: number;
  buckets: { upToSeconds: number | null; keys: number }[];
}

export class TtlHistogram {
  private none = 0;
  private readonly counts = new Array<number>(TTL_BOUNDS.length + 1).fill(0);

  /** `ttl` in seconds as TTL returns it (-1: none). */
  add(ttl: number): void {
    if (ttl < 0) {
      this.none++;
      return;
    }
    let i = 0;
    while (i < TTL_BOUNDS.length && ttl > TTL_BOUNDS[i]) i++;
    this.counts[i]++;
  }

  result(): TtlDistribution {
    return {
      none: this.none,
      buckets: this.counts.map((keys, i) => ({ upToSeconds: i < TTL_BOUNDS.length ? TTL_BOUNDS[i] : null, keys })),
    };
  }
}
