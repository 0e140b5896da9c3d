/**
 * Walking a Redis Cluster's keyspace: every primary scanned in parallel,
 * one round of SCAN per primary per batch, with ONE composite cursor that
 * names each shard (a slot it owns, the node it was scanned on, that node's
 * cursor) so a page continues exactly where it stopped. A shard whose node
 * is gone or became a replica (a failover) restarts from cursor 0 on the
 * node that owns its slots now: every key that existed throughout is seen
 * at least once, keys of that shard possibly twice.
 */
import * as l10n from '@vscode/l10n';
import type { Cluster, Redis } from 'ioredis';
import { ConnectionError, InputError, errorMessage, throwIfAborted } from '../errors';
import { parseScanReply, primaryKeyInfos, quiet, scanArguments, type KeyBatch, type KeyInfo, type WalkOptions } from './keyBatch';
import { nodeAddress, refreshSlots } from './redisClient';
import { SLOT_COUNT } from './slotMap';

const CURSOR_PREFIX = 'cluster:';
/** How long a shard waits for the cluster to name a new owner of its slots after its node failed or was demoted. */
const FAILOVER_WAIT_MS = 15_000;
/**
 * How often a shard's node is asked ROLE beside its SCAN (always on a walk's first step). A demoted
 * primary keeps its data while it replicates, so a few SCANs on it before the check still see every key.
 */
const ROLE_CHECK_MS = 250;
/** A SCAN (with its TYPE/TTL) that has not answered by then counts as its node having failed. */
const STEP_TIMEOUT_MS = 10_000;

/** `work`, or `fallback` when it has not settled within `ms` (the timer never holds the process). */
function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms).unref()));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** One primary's part of a walk: a slot it owns (its anchor), its address when scanned, its cursor there. */
interface Shard {
  slot: number;
  node: string;
  cursor: string;
  done: boolean;
  /** When ROLE last said this shard's node is a primary (not part of the cursor). */
  checkedAt?: number;
}

/** `cluster:` + base64url of the shards; "0" once every shard is done. */
export function encodeClusterCursor(shards: readonly Shard[]): string {
  if (shards.every((s) => s.done)) return '0';
  const json = JSON.stringify(shards.map((s) => [s.slot, s.node, s.cursor, s.done ? 1 : 0]));
  return CURSOR_PREFIX + Buffer.from(json, 'utf8').toString('base64url');
}

export function decodeClusterCursor(cursor: string): Shard[] {
  const bad = (): never => {
    throw new InputError(
      l10n.t(
        'The cursor "{0}" is not a cluster cursor: pass back the cursor a previous scan of this profile returned, or "0" to start.',
        cursor.length > 40 ? `${cursor.slice(0, 40)}…` : cursor,
      ),
    );
  };
  if (!cursor.startsWith(CURSOR_PREFIX)) return bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return bad();
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return bad();
  return parsed.map((entry: unknown): Shard => {
    if (!Array.isArray(entry) || entry.length !== 4) return bad();
    const [slot, node, at, done] = entry as unknown[];
    if (!Number.isInteger(slot) || (slot as number) < 0 || (slot as number) > 16383) return bad();
    if (typeof node !== 'string' || typeof at !== 'string' || !/^\d+$/.test(at) || (done !== 0 && done !== 1)) return bad();
    return { slot: slot as number, node, cursor: at, done: done === 1 };
  });
}

/** What one shard's step brought: its keys, and whether its node still served its slots. */
export type StepResult = { ok: true; cursor: string; keys: KeyInfo[] } | { ok: false; reason: string };

/** One SCAN of a shard: on which primary, from which cursor, what else to fetch. */
export interface ShardStep {
  node: string;
  cursor: string;
  count: number;
  /** MATCH / TYPE arguments. */
  extra: readonly (string | Buffer)[];
  /** TYPE (unless `type`) and TTL of the keys found, each with slot and node. */
  withInfo: boolean;
  type: string | undefined;
  /** Ask ROLE beside the SCAN: a demoted primary answers "slave" (the step then fails). */
  checkRole: boolean;
}

/**
 * The connections a cluster walk runs on: ioredis' Cluster (the tree,
 * exports), or the session's own RESP connections per node (`scanKeys`:
 * no command object per key). Addresses are the slot map's.
 */
export interface ClusterWalkSource {
  /** The primary that serves `slot` now, as the slot map says. */
  ownerOf(slot: number): string | undefined;
  /** Whether the walk can reach `address` as a primary now (the Cluster has a connection to it). */
  reaches(address: string): boolean;
  /** Reads the slot map again. */
  refresh(): Promise<void>;
  /** True when `address` answers ROLE as a primary (bounded by the caller). */
  isPrimary(address: string): Promise<boolean>;
  /** One SCAN on a shard's node (with its keys' TYPE/TTL when asked); a node that failed or serves no slots any more is `ok: false`. */
  step(step: ShardStep): Promise<StepResult>;
}

/** A failure of a shard's node that another node may cure (a failover): a redirect, a demoted or loading node, a cluster down. */
export function isFailoverReply(message: string): boolean {
  return /^(MOVED|READONLY|LOADING|CLUSTERDOWN)/.test(message);
}

/** The sentence part for a node that failed: `host:port failed (reason)`. */
export function nodeFailed(node: string, err: unknown): string {
  return l10n.t('{0} failed ({1})', node, errorMessage(err).replace(/[.\s]+$/, ''));
}

/** The walk over ioredis' Cluster: its slot table and its connection per primary. */
export function ioredisWalkSource(cluster: Cluster): ClusterWalkSource {
  const primary = (address: string): Redis | undefined => cluster.nodes('master').find((n) => nodeAddress(n) === address);
  return {
    ownerOf: (slot) => cluster.slots[slot]?.[0],
    reaches: (address) => primary(address) !== undefined,
    refresh: () => refreshSlots(cluster),
    isPrimary: async (address) => {
      const conn = primary(address);
      return conn !== undefined && String((await quiet(conn.call('ROLE') as Promise<unknown[]>))[0]) === 'master';
    },
    step: async (step) => {
      const node = primary(step.node);
      if (!node) return { ok: false, reason: l10n.t('{0} is no longer a primary', step.node) };
      try {
        const role = step.checkRole ? quiet(node.call('ROLE') as Promise<unknown[]>) : undefined;
        const scanReply = await quiet(node.callBuffer('SCAN', step.cursor, 'COUNT', step.count, ...step.extra));
        if (role && String((await role)[0]) !== 'master') return { ok: false, reason: l10n.t('{0} became a replica', step.node) };
        const [next, batch] = parseScanReply(scanReply);
        const keys = step.withInfo
          ? await primaryKeyInfos(cluster, node, step.node, batch, step.type)
          : batch.map((key): KeyInfo => ({ key, type: step.type ?? 'unknown', ttl: -1, node: step.node }));
        return { ok: true, cursor: next, keys };
      } catch (err) {
        if (err instanceof Error && err.name === 'ReplyError' && !isFailoverReply(err.message)) throw err;
        return { ok: false, reason: nodeFailed(step.node, err) };
      }
    },
  };
}

/** One shard per primary of the slot map, each anchored at the first slot it owns. */
function freshShards(source: ClusterWalkSource): Shard[] {
  const seen = new Map<string, Shard>();
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const node = source.ownerOf(slot);
    if (node && !seen.has(node)) seen.set(node, { slot, node, cursor: '0', done: false });
  }
  if (seen.size === 0)
    throw new ConnectionError(l10n.t('The cluster has no slot map yet (no primary serves any slot): try again in a moment.'));
  return [...seen.values()];
}

/**
 * The shards to continue: those of the cursor, each moved to its slot's
 * owner now (restarted from 0 when that is another node), plus a fresh one
 * for any primary the cursor covers nowhere.
 */
function resumeShards(source: ClusterWalkSource, cursor: string | undefined): Shard[] {
  const fresh = freshShards(source);
  if (cursor === undefined || cursor === '0') return fresh;
  const shards = decodeClusterCursor(cursor).map((s): Shard => {
    const owner = source.ownerOf(s.slot);
    return owner === undefined || owner === s.node ? s : { slot: s.slot, node: owner, cursor: '0', done: s.done };
  });
  const covered = new Set(shards.map((s) => s.node));
  return [...shards, ...fresh.filter((s) => !covered.has(s.node))];
}

/**
 * After a shard's node failed or was demoted: refreshes the slot map until
 * another primary owns the shard's anchor slot (bounded), and restarts the
 * shard there from cursor 0; when the same node answers as a primary again,
 * the shard goes on from its cursor there.
 */
async function moveShard(source: ClusterWalkSource, shard: Shard, reason: string, signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + FAILOVER_WAIT_MS;
  for (;;) {
    throwIfAborted(signal);
    await within(
      source.refresh().catch(() => undefined),
      2000,
      undefined,
    );
    const owner = source.ownerOf(shard.slot);
    const reached = owner !== undefined && source.reaches(owner);
    if (owner !== undefined && reached && owner !== shard.node) {
      shard.node = owner;
      shard.cursor = '0';
      shard.checkedAt = undefined;
      return;
    }
    // Still the same node: if it answers as a primary again (a passing network fault), its cursor is still good.
    const again =
      reached &&
      owner === shard.node &&
      (await within(
        source.isPrimary(owner).catch(() => false),
        1000,
        false,
      ));
    if (again) return;
    if (Date.now() > deadline)
      throw new ConnectionError(
        l10n.t(
          'The cluster walk cannot go on: {0}, and no other primary took over its slots within {1} s. Try again once the cluster recovered.',
          reason,
          FAILOVER_WAIT_MS / 1000,
        ),
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Walks every primary of a cluster, each shard on its own (no shard waits
 * for another): a batch per SCAN of one primary (its keys, each with slot
 * and node) and the composite cursor after it. The next SCAN of that shard
 * goes out before the batch is handed on, unless the SCANs already in
 * flight are expected to end the walk (a page's limit or maxExamine: then it
 * waits for them, so a page costs no SCAN it does not use); when the walk ends, SCANs still
 * in flight are dropped and the cursor holds only what was handed on, so
 * it continues exactly. Cancel stops before the next SCAN.
 */
export async function* walkClusterKeys(source: ClusterWalkSource, options: WalkOptions): AsyncGenerator<KeyBatch> {
  const args = scanArguments(options);
  const shards = resumeShards(source, options.cursor);
  const inFlight = new Map<Shard, Promise<{ shard: Shard; result: StepResult }>>();
  const launch = (shard: Shard): void => {
    throwIfAborted(options.signal);
    const timedOut: StepResult = { ok: false, reason: l10n.t('{0} did not answer SCAN within {1} s', shard.node, STEP_TIMEOUT_MS / 1000) };
    const checkRole = Date.now() - (shard.checkedAt ?? 0) > ROLE_CHECK_MS;
    const work = source
      .step({
        node: shard.node,
        cursor: shard.cursor,
        count: args.count,
        extra: args.extra,
        withInfo: options.withInfo === true,
        type: options.type,
        checkRole,
      })
      .then((result) => {
        if (result.ok && checkRole) shard.checkedAt = Date.now();
        return result;
      });
    const step = within(work, STEP_TIMEOUT_MS, timedOut);
    inFlight.set(shard, quiet(step.then((result) => ({ shard, result }))));
  };
  for (const shard of shards) if (!shard.done) launch(shard);
  let scanned = 0;
  let found = 0;
  /** Shards whose next SCAN waits: what is in flight may already end the walk (a page's limit). */
  const deferred: Shard[] = [];
  const lastSize = new Map<Shard, number>();
  while (inFlight.size > 0 || deferred.length > 0) {
    if (inFlight.size === 0) for (const s of deferred.splice(0)) launch(s);
    const { shard, result } = await Promise.race(inFlight.values());
    inFlight.delete(shard);
    if (!result.ok) {
      await moveShard(source, shard, result.reason, options.signal);
      launch(shard);
      continue;
    }
    shard.cursor = result.cursor;
    shard.done = result.cursor === '0';
    scanned += args.count;
    found += result.keys.length;
    lastSize.set(shard, result.keys.length);
    const cursor = encodeClusterCursor(shards);
    const goOn = cursor !== '0' && (options.more?.(found, scanned) ?? true);
    if (goOn && !shard.done) {
      // Would the SCANs in flight (each expected to bring what its shard brought last) still leave the walk wanting more?
      let expected = 0;
      for (const s of inFlight.keys()) expected += lastSize.get(s) ?? result.keys.length;
      if (options.more === undefined || options.more(found + expected, scanned + args.count * inFlight.size)) launch(shard);
      else deferred.push(shard);
    }
    yield { keys: result.keys, cursor, scanned };
    if (!goOn) return;
  }
}
