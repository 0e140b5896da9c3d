/**
 * Reading a key's value for display: type, TTL and length in one pipeline,
 * then a bounded read — a string in a byte range, a collection's first
 * items through its scan iterator. Never a whole large value.
 */
import * as l10n from '@vscode/l10n';
import type { RedisClient } from './redisClient';
import { fromBuffer, type BytesLike } from '../bytes';
import { NotFoundError } from '../errors';
import { scanValue, type CollectionType, type ValueItems } from './valueScanner';

export const DEFAULT_VALUE_ITEMS = 1000;
export const DEFAULT_MAX_STRING_BYTES = 1_048_576;

export interface ValueRead {
  type: string;
  /** Seconds; -1 when none. */
  ttl: number;
  /** Bytes for a string, members / fields / elements / entries otherwise. */
  length: number;
  /** A string's bytes, or a collection's first items as in scanValue. */
  value: BytesLike | ValueItems;
  /** True when only part of the value was read. */
  truncated: boolean;
  /** Cursor to continue a collection from, when truncated. */
  cursor?: string;
}

/** The command that counts a type's bytes or items. */
export const LENGTH_COMMAND: Record<string, string> = {
  string: 'STRLEN',
  hash: 'HLEN',
  list: 'LLEN',
  set: 'SCARD',
  zset: 'ZCARD',
  stream: 'XLEN',
};

/** Type, TTL (seconds, -1 none) and length of a key, in one round trip after TYPE. */
export async function keyMeta(client: RedisClient, key: Buffer): Promise<{ type: string; ttl: number; length: number }> {
  const [typeReply, ttlReply] = (await client.pipeline().type(key).ttl(key).exec()) ?? [];
  const type = typeReply && !typeReply[0] ? String(typeReply[1]) : 'none';
  if (type === 'none')
    throw new NotFoundError(l10n.t('The key "{0}" does not exist (it may have expired or been deleted).', displayKey(key)));
  const ttl = ttlReply && !ttlReply[0] ? Number(ttlReply[1]) : -1;
  const lengthCommand = LENGTH_COMMAND[type];
  const length = lengthCommand ? Number(await client.call(lengthCommand, key)) : 0;
  return { type, ttl, length };
}

function isCollectionType(type: string): type is CollectionType {
  return type === 'hash' || type === 'set' || type === 'zset' || type === 'list' || type === 'stream';
}

function displayKey(key: Buffer): string {
  const text = key.toString('utf8');
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

export interface ReadValueOptions {
  /** Collection items to read (default 1000). */
  limit?: number;
  /** String bytes to read at most (default 1 MiB). */
  maxBytes?: number;
  signal?: AbortSignal;
}

/** The raw bytes of a string, cut at maxBytes. */
export async function readString(
  client: RedisClient,
  key: Buffer,
  length: number,
  maxBytes: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  if (length <= maxBytes) {
    const value = await client.getBuffer(key);
    return { bytes: value ?? Buffer.alloc(0), truncated: false };
  }
  const part = await client.getrangeBuffer(key, 0, maxBytes - 1);
  return { bytes: part, truncated: true };
}

export async function readValue(client: RedisClient, key: Buffer, options: ReadValueOptions = {}): Promise<ValueRead> {
  const meta = await keyMeta(client, key);
  if (meta.type === 'string') {
    const { bytes, truncated } = await readString(client, key, meta.length, options.maxBytes ?? DEFAULT_MAX_STRING_BYTES);
    return { ...meta, value: fromBuffer(bytes), truncated };
  }
  // keyMeta already looked the type up: pass it on rather than pay another TYPE
  // (a module type is left to scanValue, which names it in its error).
  const type = isCollectionType(meta.type) ? { type: meta.type } : {};
  const page = await scanValue(client, key, {
    ...type,
    limit: options.limit ?? DEFAULT_VALUE_ITEMS,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const read: ValueRead = { ...meta, value: page.items, truncated: !page.complete };
  if (!page.complete) read.cursor = page.cursor;
  return read;
}
