/**
 * Reading a collection in pages, never whole: HSCAN / SSCAN / ZSCAN for
 * hashes, sets and sorted sets, chunked LRANGE for lists (cursor = index),
 * XRANGE for streams (cursor = last id, exclusive). A page examines a
 * bounded number of elements, so a rare MATCH never hangs its caller.
 */
import type { Redis } from 'ioredis';
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
  /** Elements asked per server call (SCAN COUNT hint, LRANGE / XRANGE chunk; default 100). */
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

export const DEFAULT_VALUE_COUNT = 100;
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
  if (!Number.isInteger(n) || n < 1) throw new InputError(`The ${what} ${String(value)} is not valid: give a whole number of at least 1.`);
  return n;
}

/** The collection type of a key, or a one-sentence error for a missing key or a string. */
export async function collectionType(client: Redis, key: Buffer): Promise<CollectionType> {
  const type = String(await client.type(key));
  if (type === 'none') throw new NotFoundError(`The key "${displayBytes(key, 80)}" does not exist (it may have expired or been deleted).`);
  if (type === 'hash' || type === 'set' || type === 'zset' || type === 'list' || type === 'stream') return type;
  throw new InputError(`The key "${displayBytes(key, 80)}" holds a ${type}, not a collection: read it as a whole value instead.`);
}

/** One page of a collection's items. */
export async function scanValue(client: Redis, key: BytesLike | Buffer, options: ScanValueOptions = {}): Promise<ValuePage> {
  const k = toBuffer(key, 'key');
  const count = positiveInt(options.count, DEFAULT_VALUE_COUNT, 'COUNT');
  const limit = positiveInt(options.limit, DEFAULT_VALUE_LIMIT, 'limit');
  const maxExamine = positiveInt(options.maxExamine, DEFAULT_VALUE_MAX_EXAMINE, 'examine limit');
  const match = options.match === undefined ? undefined : toBuffer(options.match, 'MATCH pattern');
  throwIfAborted(options.signal);
  const type = options.type ?? (await collectionType(client, k));
  if (type === 'list') return scanList(client, k, count, limit, maxExamine, match, options);
  if (type === 'stream') return scanStream(client, k, count, limit, match, options);
  let cursor = options.cursor ?? '0';
  if (!/^\d+$/.test(cursor)) throw new InputError(`The cursor "${cursor}" is not valid: pass back the cursor a previous scan returned, or "0" to start.`);
  const items: (HashItem | JsonBytes | ZsetItem)[] = [];
  let examined = 0;
  const extra: (string | Buffer | number)[] = ['COUNT', count];
  if (match !== undefined && !(match.length === 1 && match[0] === 0x2a)) extra.push('MATCH', match);
  do {
    throwIfAborted(options.signal);
    const [next, elements] = parseScanReply(await client.callBuffer(SCAN_COMMAND[type], k, cursor, ...extra));
    cursor = next;
    examined += count;
    if (type === 'set') for (const m of elements) items.push(bytesToJson(m));
    else if (type === 'hash') for (let i = 0; i + 1 < elements.length; i += 2) items.push({ field: bytesToJson(elements[i]), value: bytesToJson(elements[i + 1]) });
    else for (let i = 0; i + 1 < elements.length; i += 2) items.push({ member: bytesToJson(elements[i]), score: scoreToJson(elements[i + 1].toString('latin1')) });
  } while (cursor !== '0' && items.length < limit && examined < maxExamine);
  return { type, items: items as ValueItems, cursor, complete: cursor === '0' };
}

async function scanList(client: Redis, key: Buffer, count: number, limit: number, maxExamine: number, match: Buffer | undefined, options: ScanValueOptions): Promise<ValuePage> {
  const startText = options.cursor ?? '0';
  if (!/^\d+$/.test(startText)) throw new InputError(`The list cursor "${startText}" is not valid: pass back the index a previous scan returned, or "0" to start.`);
  let index = Number(startText);
  const items: JsonBytes[] = [];
  let examined = 0;
  let complete = false;
  while (!complete && items.length < limit && examined < maxExamine) {
    throwIfAborted(options.signal);
    const chunk = match ? count : Math.min(count, limit - items.length);
    const elements = (await client.lrangeBuffer(key, index, index + chunk - 1)) as Buffer[];
    index += elements.length;
    examined += elements.length;
    for (const e of elements) if (!match || globMatch(match, e)) items.push(bytesToJson(e));
    if (elements.length < chunk) complete = true;
  }
  return { type: 'list', items, cursor: String(index), complete };
}

async function scanStream(client: Redis, key: Buffer, count: number, limit: number, match: Buffer | undefined, options: ScanValueOptions): Promise<ValuePage> {
  if (match !== undefined) throw new InputError('MATCH does not apply to streams: read the entries without a pattern.');
  const after = options.cursor && options.cursor !== '0' ? options.cursor : undefined;
  if (after !== undefined && !/^\d+-\d+$/.test(after)) throw new InputError(`The stream cursor "${after}" is not an entry id: pass back the id a previous read returned.`);
  let start = after === undefined ? '-' : `(${after}`;
  let last = after ?? '0';
  const items: StreamItem[] = [];
  let complete = false;
  while (!complete && items.length < limit) {
    throwIfAborted(options.signal);
    const chunk = Math.min(count, limit - items.length);
    const reply = (await client.callBuffer('XRANGE', key, start, '+', 'COUNT', chunk)) as unknown;
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
export async function* iterateValue(client: Redis, key: BytesLike | Buffer, options: Omit<ScanValueOptions, 'limit'> & { pageSize?: number } = {}): AsyncGenerator<ValuePage> {
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
