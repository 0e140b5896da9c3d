/**
 * One batch of a keyspace walk, whatever the topology: the SCAN arguments
 * (checked before anything is sent), the reply, and TYPE + TTL of the keys
 * found, pipelined on the connection that holds them (per primary on a
 * cluster, so no pipeline ever spans slots of two nodes).
 */
import * as l10n from '@vscode/l10n';
import type { Cluster, Redis } from 'ioredis';
import { InputError } from '../errors';
import { isCluster, nodeAddress, type RedisClient } from './redisClient';
import { keySlot } from './hashSlot';

export const KEY_TYPES = ['string', 'hash', 'list', 'set', 'zset', 'stream'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export interface KeyInfo {
  key: Buffer;
  /** TYPE reply; "none" when the key vanished between SCAN and TYPE. */
  type: string;
  /** Seconds to live; -1 when none, -2 when the key is gone. */
  ttl: number;
  /** On a cluster, with TYPE/TTL (pages): the key's hash slot (a bare walk leaves it out; keySlot() gives it). */
  slot?: number;
  /** On a cluster: `host:port` of the primary the key was found on. */
  node?: string;
}

export interface KeyBatch {
  keys: KeyInfo[];
  /** Cursor after this batch; "0" when the walk is complete (on a cluster, an opaque string covering every primary). */
  cursor: string;
  /** Keys examined so far in this walk (about COUNT per SCAN call; summed over the primaries of a cluster). */
  scanned: number;
}

export interface IterateKeysOptions {
  match?: string | Buffer;
  type?: string;
  /** SCAN COUNT per call (default 1000; per primary on a cluster). */
  count?: number;
  /** Fetch TYPE and TTL with each batch (one pipeline per batch; default false). */
  withInfo?: boolean;
  /** Cursor to resume from. */
  cursor?: string;
  signal?: AbortSignal;
}

export interface WalkOptions extends IterateKeysOptions {
  /** Asked once a batch arrived, with the keys found and examined so far: false ends the walk there. */
  more?: (found: number, scanned: number) => boolean;
}

export const DEFAULT_SCAN_COUNT = 1000;

export function checkKeyType(type: string | undefined): void {
  if (type !== undefined && !(KEY_TYPES as readonly string[]).includes(type)) {
    throw new InputError(l10n.t('"{0}" is not a Redis key type: use one of {1}.', type, KEY_TYPES.join(', ')));
  }
}

/** COUNT and the MATCH / TYPE arguments of a walk's SCAN calls, checked. */
export function scanArguments(options: IterateKeysOptions): { count: number; extra: (string | Buffer)[] } {
  checkKeyType(options.type);
  const count = options.count ?? DEFAULT_SCAN_COUNT;
  if (!Number.isInteger(count) || count < 1)
    throw new InputError(l10n.t('COUNT {0} is not valid: give a whole number of at least 1.', count));
  const extra: (string | Buffer)[] = [];
  if (options.match !== undefined && options.match !== '*') extra.push('MATCH', options.match);
  if (options.type !== undefined) extra.push('TYPE', options.type);
  return { count, extra };
}

/** Marks a rejection as handled, for a reply nobody may await once the walk was cancelled or failed. */
export function quiet<T>(reply: Promise<T>): Promise<T> {
  reply.catch(() => undefined);
  return reply;
}

/** Splits a SCAN-family reply into its cursor and elements. */
export function parseScanReply(reply: unknown): [string, Buffer[]] {
  if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) throw new Error('unexpected SCAN reply');
  const raw = reply[1] as unknown[];
  // callBuffer replies hold Buffers already: hand the array on without copying it.
  const elements = raw.every((e) => Buffer.isBuffer(e)) ? raw : raw.map((e) => (Buffer.isBuffer(e) ? e : Buffer.from(String(e))));
  return [String(reply[0]), elements];
}

/**
 * TYPE (unless known) and TTL of a batch of keys in one pipeline; on a
 * cluster, one pipeline per primary that owns some of them (in parallel),
 * each key with its slot and node.
 */
export async function keyInfos(client: RedisClient, keys: readonly Buffer[], knownType?: string): Promise<KeyInfo[]> {
  if (!isCluster(client)) return nodeKeyInfos(client, keys, knownType);
  const primaries = new Map(client.nodes('master').map((n) => [nodeAddress(n), n]));
  const byNode = new Map<string, Buffer[]>();
  for (const key of keys) {
    const owner = client.slots[keySlot(key)]?.[0] ?? '';
    const list = byNode.get(owner);
    if (list) list.push(key);
    else byNode.set(owner, [key]);
  }
  const infos = new Map<Buffer, KeyInfo>();
  await Promise.all(
    [...byNode].map(async ([owner, list]) => {
      const node = primaries.get(owner);
      if (!node)
        throw new InputError(l10n.t('No primary of the cluster serves the slot of "{0}" right now: try again.', list[0].toString()));
      for (const info of await primaryKeyInfos(client, node, owner, list, knownType)) infos.set(info.key, info);
    }),
  );
  return keys.map((k) => infos.get(k) ?? { key: k, type: 'unknown', ttl: -1 });
}

/** A MOVED / ASK reply: the key's slot is (being) served by another node. */
function isRedirect(err: Error | null | undefined): boolean {
  return err !== null && err !== undefined && /^(MOVED|ASK) /.test(err.message);
}

/**
 * TYPE and TTL pipelined on one connection; `node` (a cluster primary's
 * address) adds slot and node to each. The indexes of keys answered with a
 * redirect (MOVED / ASK: the slot moved meanwhile) go to `redirected`
 * instead of failing the batch.
 */
export async function nodeKeyInfos(
  client: Redis,
  keys: readonly Buffer[],
  knownType?: string,
  node?: string,
  redirected?: number[],
): Promise<KeyInfo[]> {
  if (keys.length === 0) return [];
  const pipeline = client.pipeline();
  queueKeyInfos(pipeline, keys, knownType);
  const replies = (await pipeline.exec()) ?? [];
  return readKeyInfos(replies, keys, knownType, node, redirected);
}

/**
 * TYPE (unless known) and TTL of a batch of keys with the walk's next SCAN
 * (`scanArgs`: cursor, COUNT, …) behind them, in one pipeline: one round
 * trip per batch of a walk instead of two.
 */
export async function keyInfosThenScan(
  client: Redis,
  keys: readonly Buffer[],
  knownType: string | undefined,
  scanArgs: (string | number | Buffer)[],
): Promise<{ infos: KeyInfo[]; scan: [string, Buffer[]] }> {
  const pipeline = client.pipeline();
  queueKeyInfos(pipeline, keys, knownType);
  pipeline.callBuffer('SCAN', ...scanArgs);
  const replies = (await pipeline.exec()) ?? [];
  const scan = replies.pop();
  if (!scan || scan[0]) throw scan?.[0] ?? new Error('no SCAN reply');
  return { infos: readKeyInfos(replies, keys, knownType), scan: parseScanReply(scan[1]) };
}

function queueKeyInfos(pipeline: ReturnType<Redis['pipeline']>, keys: readonly Buffer[], knownType: string | undefined): void {
  for (const key of keys) {
    if (knownType === undefined) pipeline.type(key);
    pipeline.ttl(key);
  }
}

type PipelineReplies = [error: Error | null, result: unknown][];

/** KeyInfos from the TYPE/TTL replies queued by queueKeyInfos (see nodeKeyInfos for `node` and `redirected`). */
function readKeyInfos(
  replies: PipelineReplies,
  keys: readonly Buffer[],
  knownType: string | undefined,
  node?: string,
  redirected?: number[],
): KeyInfo[] {
  // TYPE and TTL do not fail on a key: an error here is the connection's, and must not pass as type "unknown".
  const failed = replies.find((r) => r[0] && !(redirected && isRedirect(r[0])))?.[0];
  if (failed) throw failed;
  const step = knownType === undefined ? 2 : 1;
  return keys.map((key, i) => {
    const typeReply = knownType === undefined ? replies[i * step] : undefined;
    const ttlReply = replies[i * step + step - 1];
    if (isRedirect(typeReply?.[0]) || isRedirect(ttlReply?.[0])) redirected?.push(i);
    const type = knownType ?? (typeReply && !typeReply[0] ? String(typeReply[1]) : 'unknown');
    const ttl = ttlReply && !ttlReply[0] ? Number(ttlReply[1]) : -1;
    const info: KeyInfo = { key, type: ttl === -2 ? 'none' : type, ttl };
    if (node !== undefined) {
      info.slot = keySlot(key);
      info.node = node;
    }
    return info;
  });
}

/**
 * TYPE and TTL of keys a cluster primary holds, pipelined on that primary;
 * a key whose slot moved meanwhile is asked again through the cluster,
 * which follows the redirect.
 */
export async function primaryKeyInfos(
  cluster: Cluster,
  primary: Redis,
  address: string,
  keys: readonly Buffer[],
  knownType?: string,
): Promise<KeyInfo[]> {
  const redirected: number[] = [];
  const infos = await nodeKeyInfos(primary, keys, knownType, address, redirected);
  await Promise.all(
    redirected.map(async (i) => {
      const [type, ttl] = await Promise.all([knownType ?? cluster.type(keys[i]), cluster.ttl(keys[i])]);
      infos[i] = { ...infos[i], type: ttl === -2 ? 'none' : type, ttl, node: cluster.slots[keySlot(keys[i])]?.[0] ?? address };
    }),
  );
  return infos;
}
