/**
 * Paging the keyspace with SCAN (never KEYS). A page examines a bounded
 * number of keys, so a rare MATCH pattern never hangs a caller: it returns
 * what it found with the cursor to continue and how far it got.
 */
import type { Redis } from 'ioredis';
import { InputError, throwIfAborted } from '../errors';

export const KEY_TYPES = ['string', 'hash', 'list', 'set', 'zset', 'stream'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export interface KeyInfo {
  key: Buffer;
  /** TYPE reply; "none" when the key vanished between SCAN and TYPE. */
  type: string;
  /** Seconds to live; -1 when none, -2 when the key is gone. */
  ttl: number;
}

export interface KeyPageOptions extends IterateKeysOptions {
  /**
   * Stop once at least this many keys were found (default 500). SCAN cannot
   * stop inside a batch, so a page may hold up to one batch (COUNT) more;
   * the cursor stays exact and no key is skipped.
   */
  limit?: number;
  /** Stop once about this many keys were examined (default 100,000). */
  maxExamine?: number;
  /** Fetch TYPE and TTL for the page (default true, unlike a walk). */
  withInfo?: boolean;
}

export interface KeyPage {
  keys: KeyInfo[];
  /** Cursor to continue from; "0" when the walk is complete. */
  cursor: string;
  complete: boolean;
  /** About how many keys SCAN examined for this page. */
  scanned: number;
}

export const DEFAULT_SCAN_COUNT = 1000;
export const DEFAULT_PAGE_LIMIT = 500;
export const DEFAULT_MAX_EXAMINE = 100_000;

export function checkKeyType(type: string | undefined): void {
  if (type !== undefined && !(KEY_TYPES as readonly string[]).includes(type)) {
    throw new InputError(`"${type}" is not a Redis key type: use one of ${KEY_TYPES.join(', ')}.`);
  }
}

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

export interface KeyBatch {
  keys: KeyInfo[];
  /** Cursor after this batch; "0" when the walk is complete. */
  cursor: string;
  /** Keys examined so far in this walk (about COUNT per SCAN call). */
  scanned: number;
}

export interface IterateKeysOptions {
  match?: string | Buffer;
  type?: string;
  /** SCAN COUNT per call (default 1000). */
  count?: number;
  /** Fetch TYPE and TTL with each batch (one pipeline per batch; default false). */
  withInfo?: boolean;
  /** Cursor to resume from. */
  cursor?: string;
  signal?: AbortSignal;
}

interface WalkOptions extends IterateKeysOptions {
  /** Asked once a batch arrived, with the keys found and examined so far: false ends the walk there. */
  more?: (found: number, scanned: number) => boolean;
}

type ScanReply = [cursor: string, keys: Buffer[]];

/**
 * Walks the keyspace one SCAN call per batch. With info, the TYPE/TTL
 * commands of a batch and the next SCAN go out as one pipeline, so each
 * batch costs one round trip (a plain loop pays two: SCAN, then the
 * pipeline); at most one batch of TYPE/TTL (and one SCAN) is in flight.
 * Aborting the signal ends the walk with a CancelledError: no SCAN is sent
 * after it.
 */
export function iterateKeys(client: Redis, options: IterateKeysOptions = {}): AsyncGenerator<KeyBatch> {
  return walkKeys(client, options);
}

async function* walkKeys(client: Redis, options: WalkOptions): AsyncGenerator<KeyBatch> {
  checkKeyType(options.type);
  const count = options.count ?? DEFAULT_SCAN_COUNT;
  if (!Number.isInteger(count) || count < 1) throw new InputError(`COUNT ${count} is not valid: give a whole number of at least 1.`);
  let cursor = options.cursor ?? '0';
  if (!/^\d+$/.test(cursor))
    throw new InputError(`The cursor "${cursor}" is not valid: pass back the cursor a previous scan returned, or "0" to start.`);
  const scanArgs = (from: string): (string | number | Buffer)[] => {
    const args: (string | number | Buffer)[] = [from, 'COUNT', count];
    if (options.match !== undefined && options.match !== '*') args.push('MATCH', options.match);
    if (options.type !== undefined) args.push('TYPE', options.type);
    return args;
  };
  const withInfo = options.withInfo ?? false;
  let scanned = 0;
  let found = 0;
  throwIfAborted(options.signal);
  let [next, batch] = parseScanReply(await client.callBuffer('SCAN', ...scanArgs(cursor)));
  for (;;) {
    cursor = next;
    scanned += count;
    found += batch.length;
    const goOn = cursor !== '0' && (options.more?.(found, scanned) ?? true);
    if (goOn) throwIfAborted(options.signal);
    let keys: KeyInfo[];
    let following: ScanReply | undefined;
    if (withInfo) {
      const { infos, scan } = await keyInfosThenScan(client, batch, options.type, goOn ? scanArgs(cursor) : undefined);
      keys = infos;
      following = scan;
    } else {
      keys = batch.map((key): KeyInfo => ({ key, type: options.type ?? 'unknown', ttl: -1 }));
    }
    yield { keys, cursor, scanned };
    if (!goOn) return;
    throwIfAborted(options.signal);
    [next, batch] = following ?? parseScanReply(await client.callBuffer('SCAN', ...scanArgs(cursor)));
  }
}

/**
 * Reads one page of keys: SCAN until `limit` keys were found (whole
 * batches, so possibly more) or `maxExamine` keys examined, with TYPE and
 * TTL per batch overlapped with the next SCAN (see iterateKeys).
 */
export async function scanKeysPage(client: Redis, options: KeyPageOptions = {}): Promise<KeyPage> {
  const limit = options.limit ?? DEFAULT_PAGE_LIMIT;
  const maxExamine = options.maxExamine ?? DEFAULT_MAX_EXAMINE;
  if (!Number.isInteger(limit) || limit < 1) throw new InputError(`The limit ${limit} is not valid: give a whole number of at least 1.`);
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

/** Splits a SCAN-family reply into its cursor and elements. */
export function parseScanReply(reply: unknown): [string, Buffer[]] {
  if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) throw new Error('unexpected SCAN reply');
  const elements = (reply[1] as unknown[]).map((e) => (Buffer.isBuffer(e) ? e : Buffer.from(String(e))));
  return [String(reply[0]), elements];
}

/** TYPE (unless known) and TTL of a batch of keys in one pipeline. */
export async function keyInfos(client: Redis, keys: readonly Buffer[], knownType?: string): Promise<KeyInfo[]> {
  return (await keyInfosThenScan(client, keys, knownType, undefined)).infos;
}

/**
 * TYPE (unless known) and TTL of a batch of keys and, when `scanArgs` are
 * given, the next SCAN behind them, all in one pipeline.
 */
async function keyInfosThenScan(
  client: Redis,
  keys: readonly Buffer[],
  knownType: string | undefined,
  scanArgs: (string | number | Buffer)[] | undefined,
): Promise<{ infos: KeyInfo[]; scan?: ScanReply }> {
  if (keys.length === 0 && !scanArgs) return { infos: [] };
  const pipeline = client.pipeline();
  for (const key of keys) {
    if (knownType === undefined) pipeline.type(key);
    pipeline.ttl(key);
  }
  if (scanArgs) pipeline.callBuffer('SCAN', ...scanArgs);
  const replies = (await pipeline.exec()) ?? [];
  // TYPE, TTL and SCAN do not fail on a key: an error here is the connection's, and must not pass as type "unknown".
  const failed = replies.find((r) => r[0])?.[0];
  if (failed) throw failed;
  const step = knownType === undefined ? 2 : 1;
  const infos = keys.map((key, i): KeyInfo => {
    const typeReply = knownType === undefined ? replies[i * step] : undefined;
    const ttlReply = replies[i * step + step - 1];
    const type = knownType ?? (typeReply && !typeReply[0] ? String(typeReply[1]) : 'unknown');
    const ttl = ttlReply && !ttlReply[0] ? Number(ttlReply[1]) : -1;
    return { key, type: ttl === -2 ? 'none' : type, ttl };
  });
  return scanArgs ? { infos, scan: parseScanReply(replies[replies.length - 1][1]) } : { infos };
}

/** Keys per database from INFO keyspace. */
export async function keyspaceCounts(client: Redis): Promise<Map<number, number>> {
  const info = await client.info('keyspace');
  const counts = new Map<number, number>();
  for (const line of info.split(/\r?\n/)) {
    const m = /^db(\d+):keys=(\d+)/.exec(line);
    if (m) counts.set(Number(m[1]), Number(m[2]));
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
