/**
 * What the value editor reads: a key's header (type, length, TTL, encoding,
 * memory) and one page of its rows, never the whole value.
 *
 *   hash / set       HSCAN / SSCAN from a cursor (MATCH allowed)
 *   zset             ZRANGE by rank (cursor = rank, so any rank can be jumped to); ZSCAN with a MATCH
 *   list             LRANGE by index (cursor = index; lists have no server-side MATCH)
 *   stream           XREVRANGE newest first (cursor = the last id shown, exclusive)
 *
 * A page with a MATCH examines a bounded number of elements and says how many.
 */
import * as l10n from '@vscode/l10n';
import { displayBytes } from '../bytes';
import { InputError, NotFoundError } from '../errors';
import { describeKey } from './describeKey';
import { parseScanReply } from './keyScanner';
import type { RedisClient } from './redisClient';
import { bytesToJson } from './replyJson';
import { buffersToJson } from './bulkText';
import type { CollectionType, JsonBytes } from './valueScanner';

export interface ValueHeaderRead {
  type: CollectionType;
  length: number;
  /** Seconds; -1 when none. */
  ttl: number;
  encoding?: string;
  memoryBytes?: number;
}

export interface PagerRow {
  /** The row's identity for edits: the field, member, index (as text) or stream id. */
  id: JsonBytes;
  cells: JsonBytes[];
}

export interface PagerPage {
  rows: PagerRow[];
  /** Pass back for the next page; meaningless once complete. */
  cursor: string;
  complete: boolean;
  /** Elements the server looked at for this page (about COUNT per SCAN call). */
  examined: number;
}

export interface PageRequest {
  /** "0" first; then the cursor a page returned; for lists and sorted sets without MATCH any index / rank. */
  cursor: string;
  /** Rows wanted (1–5000). */
  limit: number;
  /** A glob on fields / members (hashes, sets, sorted sets). */
  match?: Buffer;
  /** With a MATCH: stop after examining about this many elements (default 20 × limit). */
  maxExamine?: number;
}

/** The columns of each type, in the order of a row's cells: ids the page lays out by (titles: columnTitle). */
export const VALUE_COLUMNS: Readonly<Record<CollectionType, readonly string[]>> = {
  hash: ['field', 'value'],
  set: ['member'],
  zset: ['member', 'score'],
  list: ['index', 'element'],
  stream: ['id', 'fields'],
};

/** A column's title as shown (VALUE_COLUMNS holds the ids); also the word for what an input is ("entry id", "row"). */
export function columnTitle(column: string): string {
  switch (column) {
    case 'field':
      return l10n.t('field');
    case 'value':
      return l10n.t('value');
    case 'member':
      return l10n.t('member');
    case 'score':
      return l10n.t('score');
    case 'index':
      return l10n.t('index');
    case 'element':
      return l10n.t('element');
    case 'id':
      return l10n.t('id');
    case 'fields':
      return l10n.t('fields');
    case 'entry id':
      return l10n.t('entry id');
    case 'row':
      return l10n.t('row');
    default:
      return column;
  }
}

/** The types whose rows can be reached by index / rank (scroll or jump anywhere). */
export function isIndexed(type: CollectionType, match: Buffer | undefined): boolean {
  return type === 'list' || (type === 'zset' && match === undefined);
}

/** The types with a server-side MATCH. */
export function hasMatch(type: CollectionType): boolean {
  return type === 'hash' || type === 'set' || type === 'zset';
}

const LENGTH_COMMAND: Readonly<Record<CollectionType, string>> = {
  hash: 'HLEN',
  set: 'SCARD',
  zset: 'ZCARD',
  list: 'LLEN',
  stream: 'XLEN',
};
const SCAN_COMMAND = { hash: 'HSCAN', set: 'SSCAN', zset: 'ZSCAN' } as const;
export const MAX_PAGE_ROWS = 5000;

function isCollection(type: string): type is CollectionType {
  return type === 'hash' || type === 'set' || type === 'zset' || type === 'list' || type === 'stream';
}

/** Type, length, TTL, encoding and memory of a collection key; a sentence for a missing key or a string. */
export async function readValueHeader(client: RedisClient, key: Buffer): Promise<ValueHeaderRead> {
  const d = await describeKey(client, key);
  if (d.type === 'none')
    throw new NotFoundError(l10n.t('The key "{0}" does not exist (it may have expired or been deleted).', displayBytes(key, 80)));
  if (!isCollection(d.type))
    throw new InputError(
      l10n.t(
        'The key "{0}" holds a {1}: the value editor opens hashes, lists, sets, sorted sets and streams.',
        displayBytes(key, 80),
        d.type,
      ),
    );
  const length = Number(await client.call(LENGTH_COMMAND[d.type], key));
  return {
    type: d.type,
    length,
    ttl: d.ttl,
    ...(d.encoding !== undefined ? { encoding: d.encoding } : {}),
    ...(d.memoryBytes !== undefined ? { memoryBytes: d.memoryBytes } : {}),
  };
}

function checkRequest(type: CollectionType, req: PageRequest): void {
  if (!Number.isInteger(req.limit) || req.limit < 1 || req.limit > MAX_PAGE_ROWS)
    throw new InputError(l10n.t('A page of {0} rows is not valid: ask for 1 to {1}.', String(req.limit), String(MAX_PAGE_ROWS)));
  if (req.match !== undefined && !hasMatch(type))
    throw new InputError(
      type === 'list'
        ? l10n.t('A list has no server-side MATCH: filter lists by jumping to an index or id instead.')
        : l10n.t('A stream has no server-side MATCH: filter streams by jumping to an index or id instead.'),
    );
  if (type === 'stream') {
    if (req.cursor !== '0' && !/^\d+-\d+$/.test(req.cursor))
      throw new InputError(
        l10n.t('The stream cursor "{0}" is not an entry id: pass back the id a previous page returned, or "0" for the newest.', req.cursor),
      );
  } else if (!/^\d+$/.test(req.cursor) || !Number.isSafeInteger(Number(req.cursor)))
    throw new InputError(
      l10n.t('The cursor "{0}" is not valid: pass back the cursor a previous page returned, or "0" to start.', req.cursor),
    );
}

/** One page of rows of a collection whose type is known (from readValueHeader). */
export async function readValuePage(client: RedisClient, key: Buffer, type: CollectionType, req: PageRequest): Promise<PagerPage> {
  checkRequest(type, req);
  const match = req.match !== undefined && !(req.match.length === 1 && req.match[0] === 0x2a) ? req.match : undefined;
  if (type === 'list') return listPage(client, key, Number(req.cursor), req.limit);
  if (type === 'stream') return streamPage(client, key, req.cursor, req.limit);
  if (type === 'zset' && match === undefined) return zsetRankPage(client, key, Number(req.cursor), req.limit);
  return scanPage(client, key, type, req, match);
}

async function listPage(client: RedisClient, key: Buffer, start: number, limit: number): Promise<PagerPage> {
  const elements = await client.lrangeBuffer(key, start, start + limit - 1);
  const values = buffersToJson(elements);
  const rows = values.map((e, i) => ({ id: String(start + i), cells: [String(start + i), e] }));
  return { rows, cursor: String(start + elements.length), complete: elements.length < limit, examined: elements.length };
}

async function zsetRankPage(client: RedisClient, key: Buffer, start: number, limit: number): Promise<PagerPage> {
  const reply = buffersToJson((await client.callBuffer('ZRANGE', key, start, start + limit - 1, 'WITHSCORES')) as Buffer[]);
  const rows: PagerRow[] = [];
  // A score is always ASCII (a decimal, inf or -inf), so always a string here.
  for (let i = 0; i + 1 < reply.length; i += 2) rows.push({ id: reply[i], cells: [reply[i], reply[i + 1]] });
  return { rows, cursor: String(start + rows.length), complete: rows.length < limit, examined: rows.length };
}

/** Fields of a stream entry as one cell: a JSON object when every field is text and unique, else [{ field, value }]. */
function streamFieldsCell(raw: Buffer[]): string {
  const pairs: { field: JsonBytes; value: JsonBytes }[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push({ field: bytesToJson(raw[i]), value: bytesToJson(raw[i + 1]) });
  const names = pairs.map((p) => p.field);
  const plain = names.every((f) => typeof f === 'string') && new Set(names).size === names.length;
  return JSON.stringify(plain ? Object.fromEntries(pairs.map((p) => [p.field, p.value])) : pairs);
}

async function streamPage(client: RedisClient, key: Buffer, cursor: string, limit: number): Promise<PagerPage> {
  const end = cursor === '0' ? '+' : `(${cursor}`;
  const reply = await client.callBuffer('XREVRANGE', key, end, '-', 'COUNT', limit);
  const rows: PagerRow[] = [];
  for (const entry of Array.isArray(reply) ? (reply as unknown[]) : []) {
    if (!Array.isArray(entry)) continue;
    const id = String(entry[0]);
    rows.push({ id, cells: [id, streamFieldsCell(Array.isArray(entry[1]) ? (entry[1] as Buffer[]) : [])] });
  }
  const last = rows.at(-1)?.id;
  return { rows, cursor: typeof last === 'string' ? last : cursor, complete: rows.length < limit, examined: rows.length };
}

async function scanPage(
  client: RedisClient,
  key: Buffer,
  type: 'hash' | 'set' | 'zset',
  req: PageRequest,
  match: Buffer | undefined,
): Promise<PagerPage> {
  const count = match === undefined ? req.limit : Math.max(100, Math.min(req.limit, 1000));
  const maxExamine = match === undefined ? req.limit : (req.maxExamine ?? req.limit * 20);
  const extra: (string | Buffer | number)[] = ['COUNT', count];
  if (match !== undefined) extra.push('MATCH', match);
  const rows: PagerRow[] = [];
  let cursor = req.cursor;
  let examined = 0;
  do {
    const [next, raw] = parseScanReply(await client.callBuffer(SCAN_COMMAND[type], key, cursor, ...extra));
    cursor = next;
    const step = type === 'set' ? 1 : 2;
    examined += Math.max(count, raw.length / step);
    const elements = buffersToJson(raw);
    for (let i = 0; i + step - 1 < elements.length; i += step) {
      const first = elements[i];
      rows.push(type === 'set' ? { id: first, cells: [first] } : { id: first, cells: [first, elements[i + 1]] });
    }
  } while (cursor !== '0' && rows.length < req.limit && examined < maxExamine);
  return { rows, cursor, complete: cursor === '0', examined };
}
