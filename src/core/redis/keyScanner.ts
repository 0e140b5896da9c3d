/**
 * Paging the keyspace with SCAN (never KEYS). A page examines a bounded
 * number of keys, so a rare MATCH pattern never hangs a caller: it returns
 * what it found with the cursor to continue and how far it got.
 */
import * as l10n from '@vscode/l10n';
import type { Redis } from 'ioredis';
import { InputError, throwIfAborted } from '../errors';
import { ClusterRouter } from './clusterRouter';
import { ioredisWalkSource, walkClusterKeys } from './clusterScan';
import {
  keyInfos,
  keyInfosThenScan,
  parseScanReply,
  scanArguments,
  type IterateKeysOptions,
  type KeyBatch,
  type KeyInfo,
  type WalkOptions,
} from './keyBatch';
import { isCluster, primariesOf, type RedisClient } from './redisClient';
import { RespClient } from './respClient';
import { respKeyInfosThenScan, respScan } from './respKeyBatch';
import { routerWalkSource } from './routerWalk';

export {
  checkKeyType,
  DEFAULT_SCAN_COUNT,
  KEY_TYPES,
  keyInfos,
  parseScanReply,
  type IterateKeysOptions,
  type KeyBatch,
  type KeyInfo,
  type KeyType,
} from './keyBatch';

export interface KeyPageOptions extends IterateKeysOptions {
  /**
   * Stop once at least this many keys were found (default 500). SCAN cannot
   * stop inside a batch, so a page may hold up to one batch (COUNT) more
   * (on a cluster, one batch per primary); the cursor stays exact and no key is skipped.
   */
  limit?: number;
  /** Stop once about this many keys were examined (default 100,000; summed over a cluster's primaries). */
  maxExamine?: number;
  /** Fetch TYPE and TTL for the page (default true, unlike a walk). */
  withInfo?: boolean;
}

export interface KeyPage {
  keys: KeyInfo[];
  /** Cursor to continue from; "0" when the walk is complete (opaque on a cluster). */
  cursor: string;
  complete: boolean;
  /** About how many keys SCAN examined for this page (over every primary of a cluster). */
  scanned: number;
}

export const DEFAULT_PAGE_LIMIT = 500;
export const DEFAULT_MAX_EXAMINE = 100_000;

/** Escapes glob specials so `text` matches itself in a MATCH pattern. */
export function escapeGlob(text: Buffer): Buffer {
  const out: number[] = [];
  for (const b of text) {
    // * ? [ ] \
    if (b === 0x2a || b === 0x3f || b === 0x5b || b === 0x5d || b === 0x5c) out.push(0x5c);
    out.push(b);
  }
  return Buffer.from(out);
}

/**
 * Walks the keyspace one SCAN call per batch. With info, the TYPE/TTL
 * commands of a batch and the next SCAN go out as one pipeline, so each
 * batch costs one round trip (a plain loop pays two: SCAN, then the
 * pipeline); at most one batch of TYPE/TTL (and one SCAN) is in flight.
 * Aborting the signal ends the walk with a CancelledError: no SCAN is sent
 * after it.
 */
export function iterateKeys(client: WalkClient, options: IterateKeysOptions = {}): AsyncGenerator<KeyBatch> {
  return walkKeys(client, options);
}

/** What a walk runs on: an ioredis client (the tree, exports), or the session's own RESP walker (`scanKeys`; see RedisSession.walker). */
export type WalkClient = RedisClient | RespClient | ClusterRouter;

/**
 * A walk of one server, or of every primary of a cluster with one composite
 * cursor (see clusterScan.ts). On our own RESP connections (a long walk with
 * type and TTL: no ioredis command object per key) the same walks: one
 * server, or a cluster's primaries through a ClusterRouter.
 */
function walkKeys(client: WalkClient, options: WalkOptions): AsyncGenerator<KeyBatch> {
  if (client instanceof RespClient) return walkServerKeys(client, options);
  if (client instanceof ClusterRouter) return walkClusterKeys(routerWalkSource(client), options);
  return isCluster(client) ? walkClusterKeys(ioredisWalkSource(client), options) : walkServerKeys(client, options);
}

async function* walkServerKeys(client: Redis | RespClient, options: WalkOptions): AsyncGenerator<KeyBatch> {
  const { count, extra } = scanArguments(options);
  let cursor = options.cursor ?? '0';
  if (!/^\d+$/.test(cursor))
    throw new InputError(l10n.t('The cursor "{0}" is not valid: pass back the cursor a previous scan returned, or "0" to start.', cursor));
  const scanArgs = (from: string): (string | number | Buffer)[] => [from, 'COUNT', count, ...extra];
  const resp = client instanceof RespClient ? client : undefined;
  const scan = async (from: string): Promise<[string, Buffer[]]> =>
    resp ? respScan(resp, scanArgs(from)) : parseScanReply(await (client as Redis).callBuffer('SCAN', ...scanArgs(from)));
  const infosThenScan = (keys: Buffer[], next: string | undefined): Promise<{ infos: KeyInfo[]; scan?: [string, Buffer[]] }> => {
    const args = next === undefined ? undefined : scanArgs(next);
    if (resp) return respKeyInfosThenScan(resp, keys, options.type, args);
    if (args) return keyInfosThenScan(client as Redis, keys, options.type, args);
    return keyInfos(client as Redis, keys, options.type).then((infos) => ({ infos }));
  };
  const withInfo = options.withInfo ?? false;
  let scanned = 0;
  let found = 0;
  throwIfAborted(options.signal);
  let [next, batch] = await scan(cursor);
  for (;;) {
    cursor = next;
    scanned += count;
    found += batch.length;
    const goOn = cursor !== '0' && (options.more?.(found, scanned) ?? true);
    if (goOn) throwIfAborted(options.signal);
    let keys: KeyInfo[];
    let following: [string, Buffer[]] | undefined;
    if (withInfo) {
      ({ infos: keys, scan: following } = await infosThenScan(batch, goOn ? cursor : undefined));
    } else {
      keys = batch.map((key): KeyInfo => ({ key, type: options.type ?? 'unknown', ttl: -1 }));
    }
    yield { keys, cursor, scanned };
    if (!goOn) return;
    throwIfAborted(options.signal);
    [next, batch] = following ?? (await scan(cursor));
  }
}

/**
 * Reads one page of keys: SCAN until `limit` keys were found (whole
 * batches, so possibly more) or `maxExamine` keys examined, with TYPE and
 * TTL per batch overlapped with the next SCAN (see iterateKeys).
 */
export async function scanKeysPage(client: WalkClient, options: KeyPageOptions = {}): Promise<KeyPage> {
  const limit = options.limit ?? DEFAULT_PAGE_LIMIT;
  const maxExamine = options.maxExamine ?? DEFAULT_MAX_EXAMINE;
  if (!Number.isInteger(limit) || limit < 1)
    throw new InputError(l10n.t('The limit {0} is not valid: give a whole number of at least 1.', limit));
  const keys: KeyInfo[] = [];
  let cursor = options.cursor ?? '0';
  let scanned = 0;
  const batches = walkKeys(client, {
    ...options,
    withInfo: options.withInfo ?? true,
    more: (found, examined) => found < limit && examined < maxExamine,
  });
  for await (const batch of batches) {
    for (const k of batch.keys) keys.push(k);
    cursor = batch.cursor;
    scanned = batch.scanned;
  }
  return { keys, cursor, complete: cursor === '0', scanned };
}

/** Keys per database from INFO keyspace; on a cluster, summed over every primary. */
export async function keyspaceCounts(client: RedisClient): Promise<Map<number, number>> {
  const infos = await Promise.all(primariesOf(client).map((node) => node.info('keyspace')));
  const counts = new Map<number, number>();
  for (const info of infos) {
    for (const line of info.split(/\r?\n/)) {
      const m = /^db(\d+):keys=(\d+)/.exec(line);
      if (m) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + Number(m[2]));
    }
  }
  return counts;
}

export interface NamespaceGroup {
  /** Folders found below the prefix: full prefix (ending with the delimiter) → keys seen so far. */
  folders: Map<string, { prefix: Buffer; segment: Buffer; count: number }>;
  /** Keys that sit directly at this level. */
  leaves: KeyInfo[];
}

/**
 * Splits keys below `prefix` into the next level's folders and the keys
 * at this level. Works on bytes, so non-UTF-8 keys are grouped too.
 */
export function groupByNamespace(keys: readonly KeyInfo[], prefix: Buffer, delimiter: string, into?: NamespaceGroup): NamespaceGroup {
  const group: NamespaceGroup = into ?? { folders: new Map(), leaves: [] };
  const delim = Buffer.from(delimiter, 'utf8');
  for (const info of keys) {
    const k = info.key;
    if (k.length < prefix.length || !k.subarray(0, prefix.length).equals(prefix)) continue;
    const at = delim.length > 0 ? k.indexOf(delim, prefix.length) : -1;
    if (at < 0) {
      group.leaves.push(info);
    } else {
      const folderPrefix = k.subarray(0, at + delim.length);
      const id = folderPrefix.toString('hex');
      const existing = group.folders.get(id);
      if (existing) existing.count++;
      else group.folders.set(id, { prefix: Buffer.from(folderPrefix), segment: Buffer.from(k.subarray(prefix.length, at)), count: 1 });
    }
  }
  return group;
}
