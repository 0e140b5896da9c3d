/**
 * Keyspace analysis, like `redis-cli --bigkeys` / `--memkeys` but with
 * namespaces: one SCAN walk (keyScanner's, with TYPE and TTL pipelined
 * behind each SCAN), then MEMORY USAGE and the type's length command
 * pipelined per batch: two round trips a batch, one batch in flight, so the
 * server is never blocked for longer than one batch of O(1) commands.
 * Memory stays bounded: top-N heaps, a prefix tree bounded in depth and
 * nodes (keyspaceTally.ts), a fixed TTL histogram.
 */
import type { Redis } from 'ioredis';
import { fromBuffer, type BytesLike } from '../bytes';
import { CancelledError, InputError } from '../errors';
import { iterateKeys, type KeyInfo } from './keyScanner';
import {
  DEFAULT_PREFIX_BOUNDS,
  PrefixTree,
  TopN,
  TtlHistogram,
  type PrefixBounds,
  type PrefixStats,
  type TtlDistribution,
} from './keyspaceTally';

export interface AnalyzeProgress {
  /** Keys analysed so far. */
  scanned: number;
  /** Keys in the database when the walk began (DBSIZE), for a percentage. */
  total: number;
  /** MEMORY USAGE summed so far. */
  bytes: number;
}

export interface AnalyzeOptions {
  match?: string | Buffer;
  /** Keys per list (default 20, at most 1,000). */
  top?: number;
  /** SCAN COUNT per batch (default 1,000). */
  count?: number;
  /** The profile's namespace delimiter (default ":"). */
  delimiter?: string;
  prefixBounds?: PrefixBounds;
  signal?: AbortSignal;
  /** After each batch. */
  onProgress?: (progress: AnalyzeProgress) => void;
}

export interface TopKey {
  key: BytesLike;
  type: string;
  bytes: number;
  length: number;
}

export interface KeyspaceAnalysis {
  /** Keys analysed. */
  scanned: number;
  /** False when cancelled: the figures cover the keys analysed until then. */
  complete: boolean;
  byType: Record<string, { keys: number; bytes: number }>;
  /** Largest by MEMORY USAGE, largest first. */
  topKeys: TopKey[];
  /** Per type, longest first (STRLEN, HLEN, LLEN, SCARD, ZCARD, XLEN). */
  topByLength: Record<string, Omit<TopKey, 'type'>[]>;
  byPrefix: PrefixStats[];
  ttl: TtlDistribution;
}

export const DEFAULT_ANALYSIS_TOP = 20;
export const MAX_ANALYSIS_TOP = 1_000;

/** The command giving a key's length by type; undefined for types without one (modules). */
const LENGTH_COMMAND: Record<string, string> = {
  string: 'strlen',
  hash: 'hlen',
  list: 'llen',
  set: 'scard',
  zset: 'zcard',
  stream: 'xlen',
};

/** MEMORY USAGE and length of a batch in one pipeline; 0 for a key gone meanwhile. */
async function measure(client: Redis, keys: readonly KeyInfo[]): Promise<{ bytes: number; length: number }[]> {
  if (keys.length === 0) return [];
  const pipeline = client.pipeline();
  for (const k of keys) {
    pipeline.call('MEMORY', 'USAGE', k.key);
    const length = LENGTH_COMMAND[k.type];
    if (length) pipeline.call(length, k.key);
  }
  const replies = (await pipeline.exec()) ?? [];
  let i = 0;
  const value = (): number => {
    const [err, reply] = replies[i++] ?? [null, 0];
    // A ReplyError (WRONGTYPE after the key was replaced) counts as 0; a lost connection fails the walk.
    if (err && err.name !== 'ReplyError') throw err;
    return err ? 0 : Number(reply ?? 0);
  };
  return keys.map((k) => {
    const bytes = value();
    return { bytes, length: LENGTH_COMMAND[k.type] ? value() : 0 };
  });
}

function checkTop(top: number): void {
  if (!Number.isInteger(top) || top < 1 || top > MAX_ANALYSIS_TOP)
    throw new InputError(`"top" is ${top}: give a whole number from 1 to ${MAX_ANALYSIS_TOP}.`);
}

/**
 * Walks the keys matching `match` and returns the figures. Aborting the
 * signal stops before the next batch is sent and returns what was counted
 * with `complete: false`.
 */
export async function analyzeKeyspace(client: Redis, options: AnalyzeOptions = {}): Promise<KeyspaceAnalysis> {
  const top = options.top ?? DEFAULT_ANALYSIS_TOP;
  checkTop(top);
  const total = Number(await client.dbsize());
  const byType: Record<string, { keys: number; bytes: number }> = {};
  const topKeys = new TopN<TopKey>(top);
  const topByLength = new Map<string, TopN<Omit<TopKey, 'type'>>>();
  const prefixes = new PrefixTree(options.delimiter ?? ':', options.prefixBounds ?? DEFAULT_PREFIX_BOUNDS);
  const ttl = new TtlHistogram();
  let scanned = 0;
  let bytesSum = 0;
  let complete = false;
  try {
    const walk = iterateKeys(client, {
      withInfo: true,
      count: options.count ?? 1000,
      ...(options.match !== undefined ? { match: options.match } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const batch of walk) {
      const keys = batch.keys.filter((k) => k.type !== 'none');
      const sizes = await measure(client, keys);
      keys.forEach((k, i) => {
        const { bytes, length } = sizes[i];
        const t = (byType[k.type] ??= { keys: 0, bytes: 0 });
        t.keys++;
        t.bytes += bytes;
        bytesSum += bytes;
        topKeys.offer(bytes, () => ({ key: fromBuffer(k.key), type: k.type, bytes, length }));
        let byLength = topByLength.get(k.type);
        if (!byLength) topByLength.set(k.type, (byLength = new TopN(top)));
        byLength.offer(length, () => ({ key: fromBuffer(k.key), bytes, length }));
        prefixes.add(k.key, bytes);
        ttl.add(k.ttl);
      });
      scanned += keys.length;
      options.onProgress?.({ scanned, total, bytes: bytesSum });
    }
    complete = true;
  } catch (err) {
    if (!(err instanceof CancelledError)) throw err;
  }
  return {
    scanned,
    complete,
    byType,
    topKeys: topKeys.sorted(),
    topByLength: Object.fromEntries([...topByLength].map(([type, heap]) => [type, heap.sorted()])),
    byPrefix: prefixes.result(),
    ttl: ttl.result(),
  };
}
