/**
 * Key operations (EXISTS, expiry, RENAME, MOVE, COPY, TYPE, OBJECT
 * ENCODING, MEMORY USAGE, …), deleting many keys or every key matching a
 * pattern (SCAN + UNLINK in batches, counted first), and FLUSHDB.
 */
import * as l10n from '@vscode/l10n';
import { typeWord } from './typeWords';
import { displayBytes, toBuffer, type BytesLike } from '../bytes';
import { InputError, throwIfAborted } from '../errors';
import { arg, defineOps, opt } from './opsSpec';
import { groupBySlot, isCluster, primariesOf, type RedisClient } from './redisClient';
import { errorReply } from './reply';
import { commandError } from './replyJson';
import { iterateKeys } from './scanExport';
import type { RedisSession } from './session';

const key = arg('key', 'key', () => l10n.t('Key'));
const keys = arg('keys', 'keys', () => l10n.t('Keys'));
const expiryCondition = opt('condition', 'enum', () => l10n.t('Condition'), {
  values: ['NX', 'XX', 'GT', 'LT'],
  help: () => l10n.t('NX only without a TTL, XX only with one, GT / LT only if longer / shorter'),
});

export const KEY_OPS = defineOps([
  {
    name: 'exists',
    family: 'key',
    command: 'EXISTS',
    get summary(): string {
      return l10n.t('How many of the keys exist (a key given twice counts twice)');
    },
    write: false,
    args: [keys],
    argv: (a) => a.bufs('keys'),
    result: 'integer',
  },
  {
    name: 'unlink',
    family: 'key',
    command: 'UNLINK',
    get summary(): string {
      return l10n.t('Delete keys (memory freed in the background); returns how many existed');
    },
    write: true,
    destructive: {
      effect: 'delete',
      get verb(): string {
        return l10n.t('deleting');
      },
      keys: (a) => a.bufs('keys'),
    },
    args: [keys],
    argv: (a) => a.bufs('keys'),
    result: 'integer',
  },
  {
    name: 'expire',
    family: 'key',
    command: 'EXPIRE',
    get summary(): string {
      return l10n.t('Set a time to live in seconds');
    },
    write: true,
    args: [key, arg('seconds', 'integer', () => l10n.t('Seconds')), expiryCondition],
    argv: (a) => [a.buf('key'), a.str('seconds'), ...(a.has('condition') ? [a.str('condition')] : [])],
    result: 'boolean',
  },
  {
    name: 'pexpire',
    family: 'key',
    command: 'PEXPIRE',
    get summary(): string {
      return l10n.t('Set a time to live in milliseconds');
    },
    write: true,
    args: [key, arg('milliseconds', 'integer', () => l10n.t('Milliseconds')), expiryCondition],
    argv: (a) => [a.buf('key'), a.str('milliseconds'), ...(a.has('condition') ? [a.str('condition')] : [])],
    result: 'boolean',
  },
  {
    name: 'persist',
    family: 'key',
    command: 'PERSIST',
    get summary(): string {
      return l10n.t('Remove the time to live');
    },
    write: true,
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'boolean',
  },
  {
    name: 'ttl',
    family: 'key',
    command: 'TTL',
    get summary(): string {
      return l10n.t('Seconds to live: -1 none, -2 no such key');
    },
    write: false,
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'integer',
  },
  {
    name: 'pttl',
    family: 'key',
    command: 'PTTL',
    get summary(): string {
      return l10n.t('Milliseconds to live: -1 none, -2 no such key');
    },
    write: false,
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'integer',
  },
  {
    name: 'rename',
    family: 'key',
    command: 'RENAME',
    get summary(): string {
      return l10n.t('Rename a key, replacing any key of the new name');
    },
    write: true,
    destructive: {
      effect: 'overwrite',
      get verb(): string {
        return l10n.t('renaming');
      },
      keys: (a) => [a.buf('newKey')],
    },
    args: [key, arg('newKey', 'key', () => l10n.t('New name'))],
    argv: (a) => [a.buf('key'), a.buf('newKey')],
    result: 'ok',
  },
  {
    name: 'renamenx',
    family: 'key',
    command: 'RENAMENX',
    get summary(): string {
      return l10n.t('Rename a key only if the new name is free');
    },
    write: true,
    args: [key, arg('newKey', 'key', () => l10n.t('New name'))],
    argv: (a) => [a.buf('key'), a.buf('newKey')],
    result: 'boolean',
  },
  {
    name: 'move',
    family: 'key',
    command: 'MOVE',
    get summary(): string {
      return l10n.t('Move a key to another database (false when it exists there)');
    },
    write: true,
    args: [key, arg('db', 'integer', () => l10n.t('Database'), { min: 0 })],
    argv: (a) => [a.buf('key'), a.str('db')],
    result: 'boolean',
  },
  {
    name: 'copy',
    family: 'key',
    command: 'COPY',
    get summary(): string {
      return l10n.t('Copy a key, optionally to another database or replacing the destination');
    },
    write: true,
    destructive: {
      effect: 'overwrite',
      get verb(): string {
        return l10n.t('copying');
      },
      keys: (a) => [a.buf('destination')],
      when: (a) => a.flag('replace'),
      db: (a) => (a.has('db') ? a.num('db') : undefined),
    },
    args: [
      arg('source', 'key', () => l10n.t('Source key')),
      arg('destination', 'key', () => l10n.t('Destination key')),
      opt('db', 'integer', () => l10n.t('Destination database'), { min: 0 }),
      opt('replace', 'flag', () => l10n.t('Replace')),
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
    get summary(): string {
      return l10n.t('A random key (null when the database is empty)');
    },
    write: false,
    args: [],
    argv: () => [],
    result: 'bytes',
  },
  {
    name: 'type',
    family: 'key',
    command: 'TYPE',
    get summary(): string {
      return l10n.t('The type of a key ("none" when absent)');
    },
    write: false,
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'status',
  },
  {
    name: 'objectEncoding',
    family: 'key',
    command: 'OBJECT',
    get summary(): string {
      return l10n.t('The internal encoding (listpack, hashtable, int, …)');
    },
    write: false,
    args: [key],
    argv: (a) => ['ENCODING', a.buf('key')],
    result: 'status',
  },
  {
    name: 'memoryUsage',
    family: 'key',
    command: 'MEMORY',
    get summary(): string {
      return l10n.t('Bytes a key takes in memory (null when absent)');
    },
    write: false,
    args: [key, opt('samples', 'integer', () => l10n.t('Samples'), { min: 0 })],
    argv: (a) => ['USAGE', a.buf('key'), ...(a.has('samples') ? ['SAMPLES', a.str('samples')] : [])],
    result: 'integer',
  },
  {
    name: 'dbsize',
    family: 'key',
    command: 'DBSIZE',
    get summary(): string {
      return l10n.t('Number of keys in the database');
    },
    write: false,
    args: [],
    argv: () => [],
    result: 'integer',
  },
]);

export interface PatternOptions {
  type?: string;
  /** SCAN COUNT per call (default 1000). */
  count?: number;
  onProgress?: (progress: { scanned: number; matched: number; deleted?: number }) => void;
  signal?: AbortSignal;
}

function scanOptions(pattern: Buffer, options: PatternOptions): Parameters<typeof iterateKeys>[1] {
  return {
    match: pattern,
    count: options.count ?? 1000,
    ...(options.type ? { type: options.type } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** Counts the keys matching a pattern (SCAN, never KEYS), to show before deleting. */
export async function countKeys(
  session: RedisSession,
  match: string | BytesLike,
  options: PatternOptions = {},
): Promise<{ count: number; scanned: number }> {
  const pattern = toBuffer(match, 'pattern');
  let count = 0;
  let scanned = 0;
  for await (const batch of iterateKeys(await session.client(), scanOptions(pattern, options))) {
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
  session: RedisSession,
  match: string | BytesLike,
  options: PatternOptions = {},
): Promise<{ deleted: number; scanned: number }> {
  const pattern = toBuffer(match, 'pattern');
  if (pattern.length === 0)
    throw new InputError(l10n.t('The pattern is empty: give a pattern such as user:* (use FLUSHDB to empty a database).'));
  session.assertWritable(l10n.t('deleting by pattern'));
  const client = await session.client();
  let deleted = 0;
  let matched = 0;
  let scanned = 0;
  for await (const batch of iterateKeys(client, scanOptions(pattern, options))) {
    scanned = batch.scanned;
    matched += batch.keys.length;
    if (batch.keys.length > 0)
      deleted += await unlinkAll(
        client,
        batch.keys.map((k) => k.key),
      );
    options.onProgress?.({ scanned, matched, deleted });
  }
  return { deleted, scanned };
}

/** Deletes the given keys with UNLINK, in batches of 1000. */
export async function deleteKeys(
  session: RedisSession,
  keyList: readonly (BytesLike | Buffer)[],
  options: { signal?: AbortSignal } = {},
): Promise<{ deleted: number }> {
  const buffers = keyList.map((k, i) => toBuffer(k, `key #${i + 1}`));
  if (buffers.length === 0) throw new InputError(l10n.t('No keys were given to delete.'));
  session.assertWritable('UNLINK');
  const client = await session.client();
  let deleted = 0;
  for (let i = 0; i < buffers.length; i += 1000) {
    throwIfAborted(options.signal);
    deleted += await unlinkAll(client, buffers.slice(i, i + 1000));
  }
  return { deleted };
}

/** UNLINK of many keys: one command on a server; on a cluster one per hash slot, in parallel (never CROSSSLOT). */
async function unlinkAll(client: RedisClient, keyList: Buffer[]): Promise<number> {
  if (!isCluster(client)) return Number(await client.unlink(...keyList));
  const counts = await Promise.all(groupBySlot(keyList).map((group) => client.unlink(...group)));
  return counts.reduce((sum: number, n) => sum + Number(n), 0);
}

/**
 * Empties the session's database. `db` must name that database (the ui has
 * the user type it), so a wrong one is never flushed.
 */
export async function flushDb(session: RedisSession, db: number, options: { async?: boolean } = {}): Promise<Record<string, never>> {
  if (!Number.isInteger(db) || db !== session.db)
    throw new InputError(l10n.t('This connection is on database {0}, not {1}: nothing was flushed.', session.db, String(db)));
  session.assertWritable('FLUSHDB');
  // On a cluster, every primary (each holds its own slots' keys).
  const nodes = primariesOf(await session.client());
  await Promise.all(nodes.map((node) => node.call('FLUSHDB', options.async === false ? 'SYNC' : 'ASYNC')));
  return {};
}

export const NEW_KEY_TYPES = ['string', 'hash', 'list', 'set', 'zset', 'stream'] as const;
export type NewKeyType = (typeof NEW_KEY_TYPES)[number];

/** The command that creates a key of a type from its initial items. */
function creation(type: NewKeyType, key: Buffer, items: readonly Buffer[], value: Buffer | undefined): [string, ...(string | Buffer)[]] {
  const even = (what: string): void => {
    if (items.length === 0 || items.length % 2 !== 0)
      throw new InputError(l10n.t('A new {0} needs {1} in pairs (at least one).', typeWord(type), what));
  };
  switch (type) {
    case 'string':
      return ['SET', key, value ?? Buffer.alloc(0), 'NX'];
    case 'hash':
      even(l10n.t('fields and values'));
      return ['HSET', key, ...items];
    case 'list':
      if (items.length === 0) throw new InputError(l10n.t('A new list needs at least one element.'));
      return ['RPUSH', key, ...items];
    case 'set':
      if (items.length === 0) throw new InputError(l10n.t('A new set needs at least one member.'));
      return ['SADD', key, ...items];
    case 'zset':
      even(l10n.t('scores and members'));
      return ['ZADD', key, ...items];
    case 'stream':
      even(l10n.t('fields and values'));
      return ['XADD', key, '*', ...items];
  }
}

/**
 * Creates a key that must not exist yet, atomically: a string with SET NX,
 * the other types (which have no NX form) with WATCH, EXISTS, MULTI, write,
 * EXEC on a connection of its own. False when the key exists (nothing was
 * written); refused on a read-only profile.
 */
export async function createKey(
  session: RedisSession,
  type: NewKeyType,
  key: Buffer,
  items: readonly Buffer[] = [],
  value?: Buffer,
): Promise<boolean> {
  const [command, ...argv] = creation(type, key, items, value);
  session.assertWritable(l10n.t('creating the key "{0}"', displayBytes(key, 80)));
  if (type === 'string') return (await (await session.client()).callBuffer(command, ...argv)) !== null;
  const conn = await session.dedicated('create');
  try {
    await conn.watch(key);
    if ((await conn.exists(key)) > 0) {
      await conn.unwatch();
      return false;
    }
    const exec = await conn
      .multi()
      .callBuffer(command, ...argv)
      .exec();
    if (exec === null) return false;
    const failed = exec.find(([err]) => err);
    if (failed?.[0]) throw commandError(errorReply(failed[0].message), command, session.profile.name);
    return true;
  } finally {
    conn.disconnect();
  }
}
