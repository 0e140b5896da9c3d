/**
 * What the value editor reads: a key's header (type, length, TTL, encoding,
 * memory in two round trips) and one page of its rows, never the whole value.
 * Rows are plain cells in the order of the type's columns.
 */
import { displayBytes } from '../bytes';
import { InputError, NotFoundError } from '../errors';
import { describeKey } from './describeKey';
import type { RedisClient } from './redisClient';
import { scanValue, type CollectionType, type JsonBytes } from './valueScanner';

export interface ValueHeaderRead {
  type: CollectionType;
  length: number;
  /** Seconds; -1 when none. */
  ttl: number;
  encoding?: string;
  memoryBytes?: number;
}

export interface PagerRow {
  cells: JsonBytes[];
}

export interface PagerPage {
  rows: PagerRow[];
  cursor: string;
  complete: boolean;
}

/** The column titles of each type, in the order of a row's cells. */
export const VALUE_COLUMNS: Readonly<Record<CollectionType, readonly string[]>> = {
  hash: ['field', 'value'],
  set: ['member'],
  zset: ['member', 'score'],
  list: ['index', 'element'],
  stream: ['id', 'fields'],
};

const LENGTH_COMMAND: Readonly<Record<CollectionType, string>> = {
  hash: 'HLEN',
  set: 'SCARD',
  zset: 'ZCARD',
  list: 'LLEN',
  stream: 'XLEN',
};

function isCollection(type: string): type is CollectionType {
  return type === 'hash' || type === 'set' || type === 'zset' || type === 'list' || type === 'stream';
}

/** Type, length, TTL, encoding and memory of a collection key; a sentence for a missing key or a string. */
export async function readValueHeader(client: RedisClient, key: Buffer): Promise<ValueHeaderRead> {
  const d = await describeKey(client, key);
  if (d.type === 'none')
    throw new NotFoundError(`The key "${displayBytes(key, 80)}" does not exist (it may have expired or been deleted).`);
  if (!isCollection(d.type))
    throw new InputError(
      `The key "${displayBytes(key, 80)}" holds a ${d.type}: the value editor opens hashes, lists, sets, sorted sets and streams.`,
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

/** One page of rows from `cursor` ("0" first). */
export async function readValuePage(
  client: RedisClient,
  key: Buffer,
  type: CollectionType,
  cursor: string,
  limit: number,
): Promise<PagerPage> {
  const page = await scanValue(client, key, { type, cursor, limit, count: Math.min(limit, 1000) });
  const rows: PagerRow[] = [];
  const start = Number(cursor);
  for (const [i, item] of page.items.entries()) {
    if (typeof item === 'string' || 'hex' in item) rows.push({ cells: type === 'list' ? [String(start + i), item] : [item] });
    else if ('field' in item) rows.push({ cells: [item.field, item.value] });
    else if ('member' in item) rows.push({ cells: [item.member, String(item.score)] });
    else rows.push({ cells: [item.id, JSON.stringify(item.fields)] });
  }
  return { rows, cursor: page.cursor, complete: page.complete };
}
