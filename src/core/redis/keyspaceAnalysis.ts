/**
 * Keyspace analysis, like `redis-cli --bigkeys` / `--memkeys` but with
 * namespaces, on a RESP connection of its own: one write and one read per
 * SCAN batch, without an ioredis command object per key. Each write holds
 * the length commands of the batch before (its types are known by then),
 * TYPE + TTL + MEMORY USAGE of the batch just scanned, and the next SCAN; so
 * at most one batch of O(1) commands is in flight and the server is never
 * blocked for longer. Memory stays bounded: top-N heaps, a prefix tree
 * bounded in depth and nodes (keyspaceTally.ts), a fixed TTL histogram.
 */
import * as l10n from '@vscode/l10n';
import { fromBuffer, type BytesLike } from '../bytes';
import { CancelledError, InputError, throwIfAborted } from '../errors';
import { scanArguments } from './keyBatch';
import type { RedisReply } from './reply';
import type { RespClient } from './respClient';
import { readScan, scanArgv } from './respKeyBatch';
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
const LENGTH_COMMAND: Record<string, Buffer> = {
  string: Buffer.from('STRLEN'),
  hash: Buffer.from('HLEN'),
  list: Buffer.from('LLEN'),
  set: Buffer.from('SCARD'),
  zset: Buffer.from('ZCARD'),
  stream: Buffer.from('XLEN'),
};

const TYPE = Buffer.from('TYPE');
const TTL = Buffer.from('TTL');
const MEMORY = Buffer.from('MEMORY');
const USAGE = Buffer.from('USAGE');

/** A key of a batch whose TYPE, TTL and MEMORY USAGE came back; its length is asked with the next batch. */
interface Sized {
  key: Buffer;
  type: string;
  ttl: number;
  bytes: number;
}

/** A count from an integer reply; 0 for nil (a key gone meanwhile) and for an error reply (WRONGTYPE after the key was replaced). */
function count(reply: RedisReply | undefined): number {
  return reply?.type === 'integer' ? Number(reply.value) : 0;
}

/** TYPE, TTL and MEMORY USAGE of `keys` from `replies` (three per key from `at`); keys gone meanwhile are left out. */
function sized(keys: readonly Buffer[], replies: readonly RedisReply[], at: number): Sized[] {
  const out: Sized[] = [];
  keys.forEach((key, i) => {
    const [typeReply, ttlReply, bytesReply] = [replies[at + i * 3], replies[at + i * 3 + 1], replies[at + i * 3 + 2]];
    // TYPE and TTL do not fail on a key: an error here is the server's (an ACL refusal), never a type "unknown".
    for (const r of [typeReply, ttlReply]) if (r?.type === 'error') throw new Error(r.message);
    const type = typeReply?.type === 'status' ? typeReply.value : 'none';
    const ttl = ttlReply?.type === 'integer' ? Number(ttlReply.value) : -2;
    if (type !== 'none' && ttl !== -2) out.push({ key, type, ttl, bytes: count(bytesReply) });
  });
  return out;
}

/** The running figures of an analysis. */
class Tally {
  readonly byType: Record<string, { keys: number; bytes: number }> = {};
  readonly topKeys: TopN<TopKey>;
  readonly topByLength = new Map<string, TopN<Omit<TopKey, 'type'>>>();
  readonly prefixes: PrefixTree;
  readonly ttl = new TtlHistogram();
  keys = 0;
  bytes = 0;

  constructor(
    private readonly top: number,
    delimiter: string,
    bounds: PrefixBounds,
  ) {
    this.topKeys = new TopN<TopKey>(top);
    this.prefixes = new PrefixTree(delimiter, bounds);
  }

  add(k: Sized, length: number): void {
    const { bytes } = k;
    const t = (this.byType[k.type] ??= { keys: 0, bytes: 0 });
    t.keys++;
    t.bytes += bytes;
    this.bytes += bytes;
    this.keys++;
    this.topKeys.offer(bytes, () => ({ key: fromBuffer(k.key), type: k.type, bytes, length }));
    let byLength = this.topByLength.get(k.type);
    if (!byLength) this.topByLength.set(k.type, (byLength = new TopN(this.top)));
    byLength.offer(length, () => ({ key: fromBuffer(k.key), bytes, length }));
    this.prefixes.add(k.key, bytes);
    this.ttl.add(k.ttl);
  }

  result(complete: boolean): KeyspaceAnalysis {
    return {
      scanned: this.keys,
      complete,
      byType: this.byType,
      topKeys: this.topKeys.sorted(),
      topByLength: Object.fromEntries([...this.topByLength].map(([type, heap]) => [type, heap.sorted()])),
      byPrefix: this.prefixes.result(),
      ttl: this.ttl.result(),
    };
  }
}

function checkTop(top: number): void {
  if (!Number.isInteger(top) || top < 1 || top > MAX_ANALYSIS_TOP)
    throw new InputError(l10n.t('"top" is {0}: give a whole number from 1 to {1}.', top, MAX_ANALYSIS_TOP));
}

/**
 * Walks the keys matching `match` on `client` (a connection the caller owns
 * and nothing else uses meanwhile) and returns the figures. Aborting the
 * signal stops before the next write and returns what was counted with
 * `complete: false`.
 */
export async function analyzeKeyspace(client: RespClient, options: AnalyzeOptions = {}): Promise<KeyspaceAnalysis> {
  const top = options.top ?? DEFAULT_ANALYSIS_TOP;
  checkTop(top);
  const { count: scanCount, extra } = scanArguments({
    count: options.count ?? 1000,
    ...(options.match !== undefined ? { match: options.match } : {}),
  });
  const dbsize = await client.send([Buffer.from('DBSIZE')]);
  const total = count(dbsize);
  const tally = new Tally(top, options.delimiter ?? ':', options.prefixBounds ?? DEFAULT_PREFIX_BOUNDS);
  /** The next SCAN's cursor; undefined once SCAN said 0. */
  let cursor: string | undefined = '0';
  /** Keys the last SCAN found: TYPE, TTL and MEMORY USAGE go with the next write. */
  let scanned: Buffer[] = [];
  /** Keys of the batch before, sized: their length commands go with the next write. */
  let pending: Sized[] = [];
  try {
    while (cursor !== undefined || scanned.length > 0 || pending.length > 0) {
      throwIfAborted(options.signal);
      const argvs: Buffer[][] = [];
      const lengths = pending.map((k) => LENGTH_COMMAND[k.type]);
      pending.forEach((k, i) => lengths[i] && argvs.push([lengths[i], k.key]));
      for (const key of scanned) argvs.push([TYPE, key], [TTL, key], [MEMORY, USAGE, key]);
      if (cursor !== undefined) argvs.push(scanArgv([cursor, 'COUNT', scanCount, ...extra]));
      const replies = argvs.length > 0 ? await client.sendMany(argvs) : [];
      let at = 0;
      pending.forEach((k, i) => tally.add(k, lengths[i] ? count(replies[at++]) : 0));
      const batch = sized(scanned, replies, at);
      at += scanned.length * 3;
      if (cursor !== undefined) {
        const [next, keys] = readScan(replies[at]);
        cursor = next === '0' ? undefined : next;
        scanned = keys;
      } else scanned = [];
      if (pending.length > 0) options.onProgress?.({ scanned: tally.keys, total, bytes: tally.bytes });
      pending = batch;
    }
    return tally.result(true);
  } catch (err) {
    if (!(err instanceof CancelledError)) throw err;
    return tally.result(false);
  }
}
