/**
 * Stream entries: add (XADD with `*` or an explicit ID, MAXLEN / MINID
 * trimming, `~`, NOMKSTREAM), delete (XDEL), trim (XTRIM), read in pages
 * either way (forward through scanValue's XRANGE pager, backward with
 * XREVRANGE), length (XLEN) and XINFO STREAM. Input is checked before
 * anything is sent; writes go through the session's read-only guard.
 */
import * as l10n from '@vscode/l10n';
import { typeWord } from './typeWords';
import { formatCount } from '../units';
import type { RedisClient } from './redisClient';
import { displayBytes, isHexBytes, toBuffer, type BytesLike } from '../bytes';
import { InputError, PreconditionError, throwIfAborted } from '../errors';
import type { JsonValue } from './replyJson';
import type { RedisSession } from './session';
import { asText, checkStreamId, entryToJson, infoObject, parseEntries, previousId, streamCall } from './streamEntries';
import { collectionType, DEFAULT_VALUE_LIMIT, scanValue, type StreamItem } from './valueScanner';

/** How a stream is capped: MAXLEN (a length) or MINID (the oldest ID kept); `approximate` adds `~`. */
export interface StreamTrim {
  maxLen?: number;
  minId?: string;
  approximate?: boolean;
}

export interface StreamAddOptions extends StreamTrim {
  /** `*` (default: the server picks), `<ms>-*`, or an explicit ID greater than the stream's last. */
  id?: string;
  /** Do not create the stream when it does not exist (then nothing is added and the ID is null). */
  noMkStream?: boolean;
}

export interface StreamPage {
  entries: StreamItem[];
  /** Pass back to continue: the last ID returned (exclusive). */
  cursor: string;
  complete: boolean;
}

export interface StreamRangeOptions {
  /** XREVRANGE: newest first. */
  reverse?: boolean;
  /** The first ID of the walk (inclusive): the oldest forward, the newest backward. */
  from?: string;
  /** The cursor a previous page returned (exclusive); wins over `from`. */
  cursor?: string;
  /** Entries per page (default 1000). */
  limit?: number;
  signal?: AbortSignal;
}

const MAX_PAGE = 100_000;

/**
 * Fields as the command API gives them, flattened to `field, value, …`:
 * an object `{ name: value }`, or a list `[{ field, value }]` (for binary names).
 */
export function streamFields(input: unknown): Buffer[] {
  const out: Buffer[] = [];
  if (Array.isArray(input)) {
    (input as unknown[]).forEach((item, i) => {
      if (typeof item !== 'object' || item === null || !('field' in item) || !('value' in item))
        throw new InputError(l10n.t('Field #{0} must be { "field": …, "value": … }.', i + 1));
      const pair = item as { field: BytesLike; value: BytesLike };
      out.push(toBuffer(pair.field, l10n.t('field #{0}', i + 1)), toBuffer(pair.value, l10n.t('value of field #{0}', i + 1)));
    });
  } else if (typeof input === 'object' && input !== null && !isHexBytes(input)) {
    for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
      if (typeof value !== 'string' && !isHexBytes(value))
        throw new InputError(l10n.t('The value of field "{0}" must be text or { "hex": "…" }.', name));
      out.push(Buffer.from(name, 'utf8'), toBuffer(value, l10n.t('value of field "{0}"', name)));
    }
  } else throw new InputError(l10n.t('The fields must be an object { "name": "value" } or a list [{ "field", "value" }].'));
  if (out.length === 0) throw new InputError(l10n.t('A stream entry needs at least one field and value: give "fields".'));
  return out;
}

/** MAXLEN / MINID arguments, checked; empty when neither is given. */
export function trimArgs(trim: StreamTrim, required: boolean): string[] {
  const { maxLen, minId, approximate } = trim;
  if (maxLen !== undefined && minId !== undefined) throw new InputError(l10n.t('Give either "maxLen" or "minId" to trim by, not both.'));
  const how = approximate ? ['~'] : [];
  if (maxLen !== undefined) {
    if (!Number.isSafeInteger(maxLen) || maxLen < 0)
      throw new InputError(l10n.t('MAXLEN must be a whole number of at least 0, not {0}.', JSON.stringify(maxLen)));
    return ['MAXLEN', ...how, String(maxLen)];
  }
  if (minId !== undefined) return ['MINID', ...how, checkStreamId(minId, 'MINID')];
  if (required) throw new InputError(l10n.t('Trimming needs "maxLen" (entries to keep) or "minId" (the oldest ID to keep).'));
  if (approximate) throw new InputError(l10n.t('"approximate" applies to "maxLen" or "minId": give one of them.'));
  return [];
}

function page(limit: number | undefined): number {
  const n = limit ?? DEFAULT_VALUE_LIMIT;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE)
    throw new InputError(l10n.t('The limit {0} is not valid: give a whole number from 1 to {1}.', String(limit), formatCount(MAX_PAGE)));
  return n;
}

/** XADD: resolves with the new entry's ID, or null when `noMkStream` and the stream does not exist. */
export async function streamAdd(
  session: RedisSession,
  key: BytesLike | Buffer,
  fields: Buffer[],
  options: StreamAddOptions = {},
): Promise<string | null> {
  const k = toBuffer(key, 'key');
  if (fields.length === 0 || fields.length % 2 !== 0)
    throw new InputError(l10n.t('A stream entry needs field and value pairs: give "fields".'));
  const id = checkStreamId(options.id ?? '*', l10n.t('entry ID'), { auto: true });
  const argv = [...(options.noMkStream ? ['NOMKSTREAM'] : []), ...trimArgs(options, false), id];
  session.assertWritable('XADD');
  const reply = await streamCall(session, await session.client(), ['XADD', k, ...argv, ...fields], { key: k });
  return reply === null ? null : asText(reply);
}

/** XDEL: resolves with how many of the IDs existed and were deleted. */
export async function streamDelete(session: RedisSession, key: BytesLike | Buffer, ids: readonly string[]): Promise<number> {
  const k = toBuffer(key, 'key');
  if (ids.length === 0) throw new InputError(l10n.t('Name at least one entry ID to delete ("ids").'));
  const checked = ids.map((id, i) => checkStreamId(String(id), `ID #${i + 1}`));
  session.assertWritable('XDEL');
  return Number(await streamCall(session, await session.client(), ['XDEL', k, ...checked], { key: k }));
}

/** XTRIM: resolves with how many entries were removed. */
export async function streamTrim(session: RedisSession, key: BytesLike | Buffer, trim: StreamTrim): Promise<number> {
  const k = toBuffer(key, 'key');
  const argv = trimArgs(trim, true);
  session.assertWritable('XTRIM');
  return Number(await streamCall(session, await session.client(), ['XTRIM', k, ...argv], { key: k }));
}

/** XLEN (0 for a missing key). */
export async function streamLength(session: RedisSession, key: BytesLike | Buffer): Promise<number> {
  const k = toBuffer(key, 'key');
  return Number(await streamCall(session, await session.client(), ['XLEN', k], { key: k }));
}

/**
 * One page of entries: forward through scanValue's XRANGE pager, backward
 * with XREVRANGE; the cursor is the last ID returned.
 */
export async function streamRange(session: RedisSession, key: BytesLike | Buffer, options: StreamRangeOptions = {}): Promise<StreamPage> {
  const k = toBuffer(key, 'key');
  const limit = page(options.limit);
  const cursor = options.cursor === undefined || options.cursor === '0' ? undefined : checkStreamId(options.cursor, 'cursor');
  const from = options.from === undefined ? undefined : checkStreamId(options.from, l10n.t('start ID'), { special: ['-', '+'] });
  throwIfAborted(options.signal);
  const client = await session.client();
  const type = String(await client.type(k));
  // A missing key: the one "does not exist" sentence of collectionType.
  if (type === 'none') await collectionType(client, k);
  if (type !== 'stream')
    throw new PreconditionError(l10n.t('The key "{0}" holds a {1}, not a stream.', displayBytes(k, 80), typeWord(type)));
  if (!options.reverse) {
    const after = cursor ?? (from === undefined || from === '-' ? undefined : from === '+' ? '+' : previousId(from));
    if (after === '+') return { entries: [], cursor: '0', complete: true };
    const scanned = await scanValue(client, k, { type, limit, ...(after !== undefined ? { cursor: after } : {}), signal: options.signal });
    return { entries: scanned.items as StreamItem[], cursor: scanned.cursor, complete: scanned.complete };
  }
  const end = cursor !== undefined ? `(${cursor}` : (from ?? '+');
  const reply = await streamCall(session, client, ['XREVRANGE', k, end, '-', 'COUNT', limit], { key: k });
  const entries = parseEntries(reply).map(entryToJson);
  const last = entries.length > 0 ? entries[entries.length - 1].id : (cursor ?? '0');
  return { entries, cursor: last, complete: entries.length < limit };
}

/** XINFO STREAM: length, last generated ID, groups, first and last entry, …, with camelCase names. */
export async function streamInfo(session: RedisSession, key: BytesLike | Buffer): Promise<Record<string, JsonValue>> {
  const k = toBuffer(key, 'key');
  const reply = await streamCall(session, await session.exactClient(), ['XINFO', 'STREAM', k], { key: k });
  return infoObject(reply, ['first-entry', 'last-entry']);
}

/** What a tree node shows of a stream: its length, its consumer groups and its last ID (one XINFO STREAM). */
export interface StreamSummary {
  length: number;
  groups: number;
  lastId: string;
}

/**
 * For the tree (a key node's tooltip): one XINFO STREAM on the connection the node already has;
 * undefined when the key is gone or no longer a stream. Connection failures reject as they are.
 */
export async function streamSummary(client: RedisClient, key: Buffer): Promise<StreamSummary | undefined> {
  let reply: unknown;
  try {
    reply = await client.callBuffer('XINFO', 'STREAM', key);
  } catch (err) {
    if (err instanceof Error && err.name === 'ReplyError') return undefined;
    throw err;
  }
  const info = infoObject(reply);
  return { length: Number(info.length), groups: Number(info.groups), lastId: asText(info.lastGeneratedId) };
}

/** A one-line description of a summary: "12 entries · 2 groups · last 1700000000000-3". */
export function describeStream(s: StreamSummary): string {
  const entries = s.length === 1 ? l10n.t('{0} entry', formatCount(s.length)) : l10n.t('{0} entries', formatCount(s.length));
  const groups = s.groups === 1 ? l10n.t('{0} group', formatCount(s.groups)) : l10n.t('{0} groups', formatCount(s.groups));
  return l10n.t('{0} · {1} · last {2}', entries, groups, s.lastId);
}
