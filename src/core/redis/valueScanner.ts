/**
 * Reading a collection in pages, never whole: HSCAN / SSCAN for hashes and
 * sets, ZSCAN for sorted sets with a MATCH and ZRANGE by rank without one
 * (cursor = next rank), chunked LRANGE for lists (cursor = index), XRANGE
 * for streams (cursor = last id, exclusive). A page examines a bounded
 * number of elements, so a rare MATCH never hangs its caller.
 *
 * Without a MATCH the COUNT defaults to the page size (at most 1000), so a
 * first page of 1000 items is one round trip.
 *
 * Sorted-set cursors: which kind a cursor is follows from the MATCH, so
 * pass the same MATCH (or none) with every page of one walk. Without a
 * MATCH (or with "*") the cursor is the next rank, as for a list: the end
 * rank once complete ("0" starts over). With a MATCH it is ZSCAN's cursor
 * ("0" once complete). A rank past the end of the set — as a ZSCAN cursor
 * handed to a walk without MATCH usually is — is an InputError, never a
 * silently empty page. Like LRANGE, rank paging can skip or repeat members
 * when the set changes between pages; ZSCAN's guarantees apply with MATCH.
 */
import * as l10n from '@vscode/l10n';
import { typeWord } from './typeWords';
import type { RedisClient } from './redisClient';
import { toBuffer, displayBytes, type BytesLike } from '../bytes';
import { InputError, NotFoundError, throwIfAborted } from '../errors';
import { globMatch } from './globMatch';
import { parseScanReply } from './keyScanner';
import { bytesToJson } from './replyJson';

export type JsonBytes = string | { hex: string };
export interface HashItem {
  field: JsonBytes;
  value: JsonBytes;
}
export interface ZsetItem {
  member: JsonBytes;
  /** A number, or "inf" / "-inf". */
  score: number | string;
}
export interface StreamItem {
  id: string;
  fields: HashItem[];
}
export type ValueItems = HashItem[] | JsonBytes[] | ZsetItem[] | StreamItem[];
export type CollectionType = 'hash' | 'set' | 'zset' | 'list' | 'stream';

export interface ValuePage {
  type: CollectionType;
  items: ValueItems;
  /** Pass back to continue; "0" (or the end index / last id) when complete. */
  cursor: string;
  complete: boolean;
}

export interface ScanValueOptions {
  /** Glob on fields / members / list elements (not for streams). */
  match?: BytesLike | Buffer;
  /** Elements asked per server call (SCAN COUNT hint, LRANGE / ZRANGE / XRANGE chunk; default: the limit, at most 1000, without MATCH; 100 with one). */
  count?: number;
  /** Stop once at least this many items were found (default 1000); a SCAN page may add a few more. */
  limit?: number;
  cursor?: string;
  /** Stop once about this many elements were examined (default 100,000). */
  maxExamine?: number;
  /** The key's type when already known (saves a TYPE call). */
  type?: CollectionType;
  signal?: AbortSignal;
}

/** COUNT with a MATCH; without one the COUNT is the limit, capped at MAX_DEFAULT_VALUE_COUNT. */
export const DEFAULT_VALUE_COUNT = 100;
export const MAX_DEFAULT_VALUE_COUNT = 1000;
export const DEFAULT_VALUE_LIMIT = 1000;
export const DEFAULT_VALUE_MAX_EXAMINE = 100_000;

const SCAN_COMMAND = { hash: 'HSCAN', set: 'SSCAN', zset: 'ZSCAN' } as const;

/** Score text as COMMANDS.md wants it: a number, or "inf" / "-inf". */
export function scoreToJson(text: string): number | string {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return 'inf';
  if (lower === '-inf') return '-inf';
  return Number(text);
}

function positiveInt(value: number | undefined, fallback: number, what: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(l10n.t('The {0} {1} is not valid: give a whole number of at least 1.', what, String(value)));
  return n;
}

/** The collection type of a key, or a one-sentence error for a missing key or a string. */
export async function collectionType(client: RedisClient, key: Buffer): Promise<CollectionType> {
  const type = String(await client.type(key));
  if (type === 'none')
    throw new NotFoundError(l10n.t('The key "{0}" does not exist (it may have expired or been deleted).', displayBytes(key, 80)));
  if (type === 'hash' || type === 'set' || type === 'zset' || type === 'list' || type === 'stream') return type;
  throw new InputError(
    l10n.t('The key "{0}" holds a {1}, not a collection: read it as a whole value instead.', displayBytes(key, 80), typeWord(type)),
  );
}

/** One page of a collection's items. */
export async function scanValue(client: RedisClient, key: BytesLike | Buffer, options: ScanValueOptions = {}): Promise<ValuePage> {
  const k = toBuffer(key, 'key');
  const limit = positiveInt(options.limit, DEFAULT_VALUE_LIMIT, 'limit');
  const maxExamine = positiveInt(options.maxExamine, DEFAULT_VALUE_MAX_EXAMINE, l10n.t('examine limit'));
  const rawMatch = options.match === undefined ? undefined : toBuffer(options.match, l10n.t('MATCH pattern'));
  // "*" matches everything: the same as no MATCH (streams still refuse any MATCH).
  const match = rawMatch !== undefined && rawMatch.length === 1 && rawMatch[0] === 0x2a ? undefined : rawMatch;
  const count = positiveInt(options.count, match === undefined ? Math.min(limit, MAX_DEFAULT_VALUE_COUNT) : DEFAULT_VALUE_COUNT, 'COUNT');
  throwIfAborted(options.signal);
  const type = options.type ?? (await collectionType(client, k));
  if (type === 'list') return scanList(client, k, count, limit, maxExamine, match, options);
  if (type === 'stream') return scanStream(client, k, count, limit, rawMatch, options);
  if (type === 'zset' && match === undefined) return scanZsetByRank(client, k, count, limit, options);
  let cursor = options.cursor ?? '0';
  if (!/^\d+$/.test(cursor))
    throw new InputError(l10n.t('The cursor "{0}" is not valid: pass back the cursor a previous scan returned, or "0" to start.', cursor));
  const items: (HashItem | JsonBytes | ZsetItem)[] = [];
  let examined = 0;
  const extra: (string | Buffer | number)[] = ['COUNT', count];
  if (match !== undefined) extra.push('MATCH', match);
  do {
    throwIfAborted(options.signal);
    const [next, elements] = parseScanReply(await client.callBuffer(SCAN_COMMAND[type], k, cursor, ...extra));
    cursor = next;
    examined += count;
    if (type === 'set') for (const m of elements) items.push(bytesToJson(m));
    else if (type === 'hash')
      for (let i = 0; i + 1 < elements.length; i += 2) items.push({ field: bytesToJson(elements[i]), value: bytesToJson(elements[i + 1]) });
    else
      for (let i = 0; i + 1 < elements.length; i += 2)
        items.push({ member: bytesToJson(elements[i]), score: scoreToJson(elements[i + 1].toString('latin1')) });
  } while (cursor !== '0' && items.length < limit && examined < maxExamine);
  return { type, items: items as ValueItems, cursor, complete: cursor === '0' };
}

/** A sorted set without MATCH: ZRANGE start stop WITHSCORES by rank, the cursor being the next rank (as a list's index). */
async function scanZsetByRank(
  client: RedisClient,
  key: Buffer,
  count: number,
  limit: number,
  options: ScanValueOptions,
): Promise<ValuePage> {
  const startText = options.cursor ?? '0';
  if (!/^\d+$/.test(startText))
    throw new InputError(
      l10n.t('The sorted set cursor "{0}" is not valid: pass back the rank a previous scan returned, or "0" to start.', startText),
    );
  const start = Number(startText);
  if (!Number.isSafeInteger(start))
    throw new InputError(
      l10n.t(
        'The sorted set cursor "{0}" is past the end of the set: pass back the rank a previous scan without MATCH returned, or "0" to start.',
        startText,
      ),
    );
  let rank = start;
  const items: ZsetItem[] = [];
  let complete = false;
  while (!complete && items.length < limit) {
    throwIfAborted(options.signal);
    const chunk = Math.min(count, limit - items.length);
    const elements = (await client.callBuffer('ZRANGE', key, rank, rank + chunk - 1, 'WITHSCORES')) as Buffer[];
    for (let i = 0; i + 1 < elements.length; i += 2)
      items.push({ member: bytesToJson(elements[i]), score: scoreToJson(elements[i + 1].toString('latin1')) });
    const got = Math.floor(elements.length / 2);
    rank += got;
    if (got < chunk) complete = true;
  }
  // Nothing at a rank other than 0: either the end exactly (a previous full page), or not a rank of
  // this set at all — typically a ZSCAN cursor from a walk with MATCH. Only the last page pays ZCARD.
  if (items.length === 0 && start > 0) {
    const card = Number(await client.zcard(key));
    if (start > card)
      throw new InputError(
        l10n.t(
          'The sorted set cursor "{0}" is past the end of the set ({1} members): without MATCH the cursor is a rank — pass back the cursor a previous scan without MATCH returned, or "0" to start.',
          startText,
          card,
        ),
      );
  }
  return { type: 'zset', items, cursor: String(rank), complete };
}

async function scanList(
  client: RedisClient,
  key: Buffer,
  count: number,
  limit: number,
  maxExamine: number,
  match: Buffer | undefined,
  options: ScanValueOptions,
): Promise<ValuePage> {
  const startText = options.cursor ?? '0';
  if (!/^\d+$/.test(startText))
    throw new InputError(
      l10n.t('The list cursor "{0}" is not valid: pass back the index a previous scan returned, or "0" to start.', startText),
    );
  let index = Number(startText);
  const items: JsonBytes[] = [];
  let examined = 0;
  let complete = false;
  while (!complete && items.length < limit && examined < maxExamine) {
    throwIfAborted(options.signal);
    const chunk = match ? count : Math.min(count, limit - items.length);
    const elements = await client.lrangeBuffer(key, index, index + chunk - 1);
    index += elements.length;
    examined += elements.length;
    for (const e of elements) if (!match || globMatch(match, e)) items.push(bytesToJson(e));
    if (elements.length < chunk) complete = true;
  }
  return { type: 'list', items, cursor: String(index), complete };
}

async function scanStream(
  client: RedisClient,
  key: Buffer,
  count: number,
  limit: number,
  match: Buffer | undefined,
  options: ScanValueOptions,
): Promise<ValuePage> {
  if (match !== undefined) throw new InputError(l10n.t('MATCH does not apply to streams: read the entries without a pattern.'));
  const after = options.cursor && options.cursor !== '0' ? options.cursor : undefined;
  if (after !== undefined && !/^\d+-\d+$/.test(after))
    throw new InputError(l10n.t('The stream cursor "{0}" is not an entry id: pass back the id a previous read returned.', after));
  let start = after === undefined ? '-' : `(${after}`;
  let last = after ?? '0';
  const items: StreamItem[] = [];
  let complete = false;
  while (!complete && items.length < limit) {
    throwIfAborted(options.signal);
    const chunk = Math.min(count, limit - items.length);
    const reply = await client.callBuffer('XRANGE', key, start, '+', 'COUNT', chunk);
    const entries = Array.isArray(reply) ? (reply as unknown[]) : [];
    for (const entry of entries) {
      if (!Array.isArray(entry)) continue;
      const id = String(entry[0]);
      const raw = Array.isArray(entry[1]) ? (entry[1] as Buffer[]) : [];
      const fields: HashItem[] = [];
      for (let i = 0; i + 1 < raw.length; i += 2) fields.push({ field: bytesToJson(raw[i]), value: bytesToJson(raw[i + 1]) });
      items.push({ id, fields });
      last = id;
    }
    start = `(${last}`;
    if (entries.length < chunk) complete = true;
  }
  return { type: 'stream', items, cursor: last, complete };
}

/** Every page of a collection, until complete or cancelled (a CancelledError; no further call is sent). */
export async function* iterateValue(
  client: RedisClient,
  key: BytesLike | Buffer,
  options: Omit<ScanValueOptions, 'limit'> & { pageSize?: number } = {},
): AsyncGenerator<ValuePage> {
  const k = toBuffer(key, 'key');
  const type = options.type ?? (await collectionType(client, k));
  let cursor = options.cursor ?? '0';
  for (;;) {
    throwIfAborted(options.signal);
    const page = await scanValue(client, k, { ...options, type, cursor, limit: options.pageSize ?? DEFAULT_VALUE_LIMIT });
    yield page;
    if (page.complete) return;
    cursor = page.cursor;
  }
}
