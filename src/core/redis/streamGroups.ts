/**
 * Consumer groups: create (MKSTREAM, from `$`, `0` or an ID), destroy,
 * SETID; XINFO GROUPS / CONSUMERS; the pending-entries list (XPENDING,
 * extended form: idle time and delivery count); claim (XCLAIM by IDs, or
 * XAUTOCLAIM looped from 0-0 until its cursor comes back to 0-0 or a count
 * is reached) and XACK. Input is checked before anything is sent; writes
 * (XGROUP, XCLAIM, XAUTOCLAIM, XACK) go through the session's read-only guard.
 */
import * as l10n from '@vscode/l10n';
import { formatCount } from '../units';
import { displayBytes, toBuffer, type BytesLike } from '../bytes';
import { InputError, NotFoundError, throwIfAborted } from '../errors';
import type { RedisSession } from './session';
import { asText, checkStreamId, entryToJson, exactToJson, infoObject, parseEntries, streamCall } from './streamEntries';
import type { StreamItem } from './valueScanner';
import { decimalToJson, type JsonValue } from './replyJson';

export interface GroupInfo {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
  /** Entries read by the group (Redis 7). */
  entriesRead?: number | string | null;
  /** Entries not yet delivered to the group (Redis 7; null when Redis cannot tell). */
  lag?: number | string | null;
}

export interface ConsumerInfo {
  name: string;
  pending: number;
  idleMs: number;
  /** Since its last successful read (Redis 7.2). */
  inactiveMs?: number;
}

export interface PendingEntry {
  id: string;
  consumer: string;
  idleMs: number;
  deliveries: number;
}

export interface PendingOptions {
  /** Only this consumer's entries. */
  consumer?: string;
  /** At most this many (default 100). */
  count?: number;
  /** Only entries idle at least this long (XPENDING IDLE). */
  minIdleMs?: number;
  /** Continue after this ID (the last one of a previous page). */
  after?: string;
}

export interface ClaimOptions {
  /** XCLAIM these IDs; without them XAUTOCLAIM walks the whole list from 0-0. */
  ids?: readonly string[];
  /** XAUTOCLAIM stops once this many were claimed (default 1000). */
  count?: number;
  signal?: AbortSignal;
}

export interface ClaimResult {
  claimed: StreamItem[];
  /** IDs that were pending but whose entries are gone (deleted or trimmed): removed from the list by XAUTOCLAIM. */
  deleted: string[];
}

const MAX_COUNT = 100_000;

/** A group or consumer name: non-empty text. */
export function checkName(value: unknown, what: 'group' | 'consumer'): string {
  if (typeof value !== 'string' || value === '')
    throw new InputError(
      what === 'group'
        ? l10n.t('Name the group ("group"): it must be non-empty text.')
        : l10n.t('Name the consumer ("consumer"): it must be non-empty text.'),
    );
  return value;
}

function checkCount(value: number | undefined, fallback: number, what: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT)
    throw new InputError(
      l10n.t('The {0} {1} is not valid: give a whole number from 1 to {2}.', what, String(value), formatCount(MAX_COUNT)),
    );
  return n;
}

function checkIdle(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InputError(l10n.t('The {0} must be a whole number of milliseconds, at least 0, not {1}.', what, JSON.stringify(value)));
  return value;
}

function checkIds(ids: readonly string[] | undefined): string[] {
  if (!ids || ids.length === 0) throw new InputError(l10n.t('Name at least one entry ID ("ids").'));
  return ids.map((id, i) => checkStreamId(String(id), `ID #${i + 1}`));
}

/** XGROUP CREATE: `from` is `$` (only new entries, the default), `0` (the whole stream) or an ID. */
export async function createGroup(
  session: RedisSession,
  key: BytesLike | Buffer,
  group: string,
  options: { from?: string; mkStream?: boolean } = {},
): Promise<void> {
  const k = toBuffer(key, 'key');
  const g = checkName(group, 'group');
  const from = checkStreamId(options.from ?? '$', l10n.t('start ID'), { special: ['$'] });
  session.assertWritable('XGROUP CREATE');
  const argv: [string, ...(string | Buffer)[]] = ['XGROUP', 'CREATE', k, g, from, ...(options.mkStream ? ['MKSTREAM'] : [])];
  await streamCall(session, await session.client(), argv, { key: k, group: g });
}

/** XGROUP DESTROY; a group that does not exist is an error, not silence. */
export async function destroyGroup(session: RedisSession, key: BytesLike | Buffer, group: string): Promise<void> {
  const k = toBuffer(key, 'key');
  const g = checkName(group, 'group');
  session.assertWritable('XGROUP DESTROY');
  const destroyed = Number(await streamCall(session, await session.client(), ['XGROUP', 'DESTROY', k, g], { key: k, group: g }));
  if (destroyed === 0)
    throw new NotFoundError(l10n.t('The stream "{0}" has no consumer group "{1}": nothing was destroyed.', displayBytes(k, 80), g));
}

/** XGROUP SETID: the group's last delivered ID becomes `id` (`$` for the stream's last, `0` to replay everything). */
export async function setGroupId(session: RedisSession, key: BytesLike | Buffer, group: string, id: string): Promise<void> {
  const k = toBuffer(key, 'key');
  const g = checkName(group, 'group');
  const to = checkStreamId(id, 'ID', { special: ['$'] });
  session.assertWritable('XGROUP SETID');
  await streamCall(session, await session.client(), ['XGROUP', 'SETID', k, g, to], { key: k, group: g });
}

/** XINFO GROUPS. */
export async function listGroups(session: RedisSession, key: BytesLike | Buffer): Promise<GroupInfo[]> {
  const k = toBuffer(key, 'key');
  const reply = await streamCall(session, await session.exactClient(), ['XINFO', 'GROUPS', k], { key: k });
  return (Array.isArray(reply) ? (reply as unknown[]) : []).map((raw) => {
    const o = infoObject(raw);
    const g: GroupInfo = {
      name: asText(o.name),
      consumers: Number(o.consumers),
      pending: Number(o.pending),
      lastDeliveredId: asText(o.lastDeliveredId),
    };
    if ('entriesRead' in o) g.entriesRead = o.entriesRead as number | string | null;
    if ('lag' in o) g.lag = o.lag as number | string | null;
    return g;
  });
}

/** XINFO CONSUMERS. */
export async function listConsumers(session: RedisSession, key: BytesLike | Buffer, group: string): Promise<ConsumerInfo[]> {
  const k = toBuffer(key, 'key');
  const g = checkName(group, 'group');
  const reply = await streamCall(session, await session.client(), ['XINFO', 'CONSUMERS', k, g], { key: k, group: g });
  return (Array.isArray(reply) ? (reply as unknown[]) : []).map((raw) => {
    const o = infoObject(raw);
    const c: ConsumerInfo = { name: asText(o.name), pending: Number(o.pending), idleMs: Number(o.idle) };
    if ('inactive' in o) c.inactiveMs = Number(o.inactive);
    return c;
  });
}

/** XPENDING, extended form: each pending entry with its consumer, idle time and delivery count, oldest first. */
export async function pendingEntries(
  session: RedisSession,
  key: BytesLike | Buffer,
  group: string,
  options: PendingOptions = {},
): Promise<PendingEntry[]> {
  const k = toBuffer(key, 'key');
  const g = checkName(group, 'group');
  const count = checkCount(options.count, 100, 'count');
  const start = options.after === undefined ? '-' : `(${checkStreamId(options.after, 'cursor')}`;
  const idle = options.minIdleMs === undefined ? [] : ['IDLE', String(checkIdle(options.minIdleMs, l10n.t('minimum idle time')))];
  const consumer = options.consumer === undefined ? [] : [checkName(options.consumer, 'consumer')];
  const argv: [string, ...(string | Buffer | number)[]] = ['XPENDING', k, g, ...idle, start, '+', count, ...consumer];
  const reply = await streamCall(session, await session.client(), argv, { key: k, group: g });
  return (Array.isArray(reply) ? (reply as unknown[][]) : []).map((row) => ({
    id: String(row[0]),
    consumer: String(row[1]),
    idleMs: Number(row[2]),
    deliveries: Number(row[3]),
  }));
}

/** XACK: resolves with how many of the IDs were pending and are acknowledged now. */
export async function ackEntries(session: RedisSession, key: BytesLike | Buffer, group: string, ids: readonly string[]): Promise<number> {
  const k = toBuffer(key, 'key');
  const g = checkName(group, 'group');
  const checked = checkIds(ids);
  session.assertWritable('XACK');
  return Number(await streamCall(session, await session.client(), ['XACK', k, g, ...checked], { key: k, group: g }));
}

/**
 * Claims pending entries idle at least `minIdleMs` for `consumer`: the
 * given IDs (XCLAIM), or, without IDs, the whole list from 0-0 (XAUTOCLAIM,
 * until its cursor comes back to 0-0 or `count` were claimed).
 */
export async function claimEntries(
  session: RedisSession,
  key: BytesLike | Buffer,
  group: string,
  consumer: string,
  minIdleMs: number,
  options: ClaimOptions = {},
): Promise<ClaimResult> {
  const k = toBuffer(key, 'key');
  const g = checkName(group, 'group');
  const c = checkName(consumer, 'consumer');
  const idle = checkIdle(minIdleMs, l10n.t('minimum idle time ("minIdleMs")'));
  const about = { key: k, group: g };
  if (options.ids !== undefined) {
    const ids = checkIds(options.ids);
    session.assertWritable('XCLAIM');
    const reply = await streamCall(session, await session.client(), ['XCLAIM', k, g, c, idle, ...ids], about);
    return { claimed: parseEntries(reply).map(entryToJson), deleted: [] };
  }
  const count = checkCount(options.count, 1000, 'count');
  session.assertWritable('XAUTOCLAIM');
  const client = await session.client();
  const result: ClaimResult = { claimed: [], deleted: [] };
  let cursor = '0-0';
  do {
    throwIfAborted(options.signal);
    const batch = Math.min(100, count - result.claimed.length);
    const reply = (await streamCall(session, client, ['XAUTOCLAIM', k, g, c, idle, cursor, 'COUNT', batch], about)) as unknown[];
    cursor = String(reply[0]);
    for (const entry of parseEntries(reply[1])) result.claimed.push(entryToJson(entry));
    if (Array.isArray(reply[2])) for (const id of reply[2] as unknown[]) result.deleted.push(String(id));
  } while (cursor !== '0-0' && result.claimed.length < count);
  return result;
}

/** The pending summary (XPENDING's short form): how many, the ID range, and per consumer. */
export async function pendingSummary(session: RedisSession, key: BytesLike | Buffer, group: string): Promise<Record<string, JsonValue>> {
  const k = toBuffer(key, 'key');
  const g = checkName(group, 'group');
  const reply = (await streamCall(session, await session.exactClient(), ['XPENDING', k, g], { key: k, group: g })) as unknown[];
  const consumers = Array.isArray(reply[3]) ? (reply[3] as unknown[][]) : [];
  return {
    count: exactToJson(reply[0]),
    smallestId: exactToJson(reply[1]),
    greatestId: exactToJson(reply[2]),
    // Redis sends each consumer's count as a bulk string.
    consumers: consumers.map((row) => ({ name: asText(row[0]), pending: decimalToJson(asText(row[1])) })),
  };
}
