/**
 * Key operations (EXISTS, expiry, RENAME, MOVE, COPY, TYPE, OBJECT
 * ENCODING, MEMORY USAGE, …), deleting many keys or every key matching a
 * pattern (SCAN + UNLINK in batches, counted first), and FLUSHDB.
 */
import type { Redis } from 'ioredis';
import { toBuffer, type BytesLike } from '../bytes';
import { InputError, ReadOnlyError, throwIfAborted } from '../errors';
import { arg, defineOps, opt, type OpContext } from './opsSpec';
import { iterateKeys } from './scanExport';

const key = arg('key', 'key', 'Key');
const keys = arg('keys', 'keys', 'Keys');
const expiryCondition = opt('condition', 'enum', 'Condition', {
  values: ['NX', 'XX', 'GT', 'LT'],
  help: 'NX only without a TTL, XX only with one, GT / LT only if longer / shorter',
});

export const KEY_OPS = defineOps([
  {
    name: 'exists',
    family: 'key',
    command: 'EXISTS',
    summary: 'How many of the keys exist (a key given twice counts twice)',
    write: false,
    args: [keys],
    argv: (a) => a.bufs('keys'),
    result: 'integer',
  },
  {
    name: 'unlink',
    family: 'key',
    command: 'UNLINK',
    summary: 'Delete keys (memory freed in the background); returns how many existed',
    write: true,
    args: [keys],
    argv: (a) => a.bufs('keys'),
    result: 'integer',
  },
  {
    name: 'expire',
    family: 'key',
    command: 'EXPIRE',
    summary: 'Set a time to live in seconds',
    write: true,
    args: [key, arg('seconds', 'integer', 'Seconds'), expiryCondition],
    argv: (a) => [a.buf('key'), a.str('seconds'), ...(a.has('condition') ? [a.str('condition')] : [])],
    result: 'boolean',
  },
  {
    name: 'pexpire',
    family: 'key',
    command: 'PEXPIRE',
    summary: 'Set a time to live in milliseconds',
    write: true,
    args: [key, arg('milliseconds', 'integer', 'Milliseconds'), expiryCondition],
    argv: (a) => [a.buf('key'), a.str('milliseconds'), ...(a.has('condition') ? [a.str('condition')] : [])],
    result: 'boolean',
  },
  {
    name: 'persist',
    family: 'key',
    command: 'PERSIST',
    summary: 'Remove the time to live',
    write: true,
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'boolean',
  },
  {
    name: 'ttl',
    family: 'key',
    command: 'TTL',
    summary: 'Seconds to live: -1 none, -2 no such key',
    write: false,
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'integer',
  },
  {
    name: 'pttl',
    family: 'key',
    command: 'PTTL',
    summary: 'Milliseconds to live: -1 none, -2 no such key',
    write: false,
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'integer',
  },
  {
    name: 'rename',
    family: 'key',
    command: 'RENAME',
    summary: 'Rename a key, replacing any key of the new name',
    write: true,
    args: [key, arg('newKey', 'key', 'New name')],
    argv: (a) => [a.buf('key'), a.buf('newKey')],
    result: 'ok',
  },
  {
    name: 'renamenx',
    family: 'key',
    command: 'RENAMENX',
    summary: 'Rename a key only if the new name is free',
    write: true,
    args: [key, arg('newKey', 'key', 'New name')],
    argv: (a) => [a.buf('key'), a.buf('newKey')],
    result: 'boolean',
  },
  {
    name: 'move',
    family: 'key',
    command: 'MOVE',
    summary: 'Move a key to another database (false when it exists there)',
    write: true,
    args: [key, arg('db', 'integer', 'Database', { min: 0 })],
    argv: (a) => [a.buf('key'), a.str('db')],
    result: 'boolean',
  },
  {
    name: 'copy',
    family: 'key',
    command: 'COPY',
    summary: 'Copy a key, optionally to another database or replacing the destination',
    write: true,
    args: [
      arg('source', 'key', 'Source key'),
      arg('destination', 'key', 'Destination key'),
      opt('db', 'integer', 'Destination database', { min: 0 }),
      opt('replace', 'flag', 'Replace'),
    ],
    argv: (a) => [
      a.buf('source'),
      a.buf('destination'),
      ...(a.has('db') ? ['DB', a.str('db')] : []),
      ...(a.flag('replace') ? ['REPLACE'] : []),
    ],
    result: 'boolean',
  },
  {
    name: 'randomkey',
    family: 'key',
    command: 'RANDOMKEY',
    summary: 'A random key (null when the database is empty)',
    write: false,
    args: [],
    argv: () => [],
    result: 'bytes',
  },
  {
    name: 'type',
    family: 'key',
    command: 'TYPE',
    summary: 'The type of a key ("none" when absent)',
    write: false,
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'status',
  },
  {
    name: 'objectEncoding',
    family: 'key',
    command: 'OBJECT',
    summary: 'The internal encoding (listpack, hashtable, int, …)',
    write: false,
    args: [key],
    argv: (a) => ['ENCODING', a.buf('key')],
    result: 'status',
  },
  {
    name: 'memoryUsage',
    family: 'key',
    command: 'MEMORY',
    summary: 'Bytes a key takes in memory (null when absent)',
    write: false,
    args: [key, opt('samples', 'integer', 'Samples', { min: 0 })],
    argv: (a) => ['USAGE', a.buf('key'), ...(a.has('samples') ? ['SAMPLES', a.str('samples')] : [])],
    result: 'integer',
  },
  {
    name: 'dbsize',
    family: 'key',
    command: 'DBSIZE',
    summary: 'Number of keys in the database',
    write: false,
    args: [],
    argv: () => [],
    result: 'integer',
  },
]);

function refuseReadOnly(ctx: OpContext, what: string): void {
  if (ctx.profile?.readOnly) throw new ReadOnlyError(`Profile "${ctx.profile.name}" is read-only: ${what} was not sent.`);
}

export interface PatternOptions extends OpContext {
  type?: string;
  /** SCAN COUNT per call (default 1000). */
  count?: number;
  onProgress?: (progress: { scanned: number; matched: number; deleted?: number }) => void;
}

/** Counts the keys matching a pattern (SCAN, never KEYS), to show before deleting. */
export async function countKeys(
  client: Redis,
  match: string | BytesLike,
  options: PatternOptions = {},
): Promise<{ count: number; scanned: number }> {
  const pattern = toBuffer(match, 'pattern');
  let count = 0;
  let scanned = 0;
  for await (const batch of iterateKeys(client, {
    match: pattern,
    count: options.count ?? 1000,
    ...(options.type ? { type: options.type } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  })) {
    count += batch.keys.length;
    scanned = batch.scanned;
    options.onProgress?.({ scanned, matched: count });
  }
  return { count, scanned };
}

/**
 * Deletes every key matching a pattern: SCAN, then UNLINK each batch found.
 * Cancel stops before the next SCAN; keys already unlinked stay deleted.
 */
export async function deleteByPattern(
  client: Redis,
  match: string | BytesLike,
  options: PatternOptions = {},
): Promise<{ deleted: number; scanned: number }> {
  const pattern = toBuffer(match, 'pattern');
  if (pattern.length === 0) throw new InputError('The pattern is empty: give a pattern such as user:* (use FLUSHDB to empty a database).');
  refuseReadOnly(options, 'deleting by pattern');
  let deleted = 0;
  let matched = 0;
  let scanned = 0;
  for await (const batch of iterateKeys(client, {
    match: pattern,
    count: options.count ?? 1000,
    ...(options.type ? { type: options.type } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  })) {
    scanned = batch.scanned;
    matched += batch.keys.length;
    if (batch.keys.length > 0) deleted += Number(await client.unlink(...batch.keys.map((k) => k.key)));
    options.onProgress?.({ scanned, matched, deleted });
  }
  return { deleted, scanned };
}

/** Deletes the given keys with UNLINK, in batches of 1000. */
export async function deleteKeys(
  client: Redis,
  keyList: readonly (BytesLike | Buffer)[],
  options: OpContext = {},
): Promise<{ deleted: number }> {
  const buffers = keyList.map((k, i) => toBuffer(k, `key #${i + 1}`));
  if (buffers.length === 0) throw new InputError('No keys were given to delete.');
  refuseReadOnly(options, 'UNLINK');
  let deleted = 0;
  for (let i = 0; i < buffers.length; i += 1000) {
    throwIfAborted(options.signal);
    deleted += Number(await client.unlink(...buffers.slice(i, i + 1000)));
  }
  return { deleted };
}

/**
 * Empties the client's database. `db` must name the database the client is
 * on (the ui has the user type it), so a wrong connection is never flushed.
 */
export async function flushDb(client: Redis, db: number, options: OpContext & { async?: boolean } = {}): Promise<Record<string, never>> {
  const current = client.options.db ?? 0;
  if (!Number.isInteger(db) || db !== current)
    throw new InputError(`This connection is on database ${current}, not ${String(db)}: nothing was flushed.`);
  refuseReadOnly(options, 'FLUSHDB');
  await client.call('FLUSHDB', options.async === false ? 'SYNC' : 'ASYNC');
  return {};
}
