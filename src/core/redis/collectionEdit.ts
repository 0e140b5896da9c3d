/**
 * Editing a whole collection (hash, list, set, sorted set) as one document:
 * read it whole (bounded: up to `maxItems`, through the scan iterators),
 * compute the minimal change to another version of it, and apply that
 * change atomically with a compare-and-set: WATCH, read again, compare with
 * what the document was opened from, then MULTI / the change / EXEC on a
 * connection of its own. A collection changed meanwhile is never overwritten
 * silently; the TTL is kept (nothing deletes and re-creates the key).
 */
import * as l10n from '@vscode/l10n';
import { formatCount } from '../units';
import { typeWord } from './typeWords';
import { displayBytes, toBuffer } from '../bytes';
import { BrokerError, errorMessage, PreconditionError } from '../errors';
import type { RedisClient } from './redisClient';
import type { RedisSession } from './session';
import { collectionSize, type CollectionValue, type EditableType, type HashEntry, type ZsetEntry } from './collectionJson';
import { iterateValue, type HashItem, type JsonBytes, type ZsetItem } from './valueScanner';

export type RedisArg = string | Buffer;

/** Arguments per write command: big changes go in several commands of at most this many items. */
const CHUNK = 1000;

function id(buf: Buffer): string {
  return buf.toString('latin1');
}

function scoreArg(score: number): string {
  return score === Infinity ? '+inf' : score === -Infinity ? '-inf' : String(score);
}

function scoreOf(score: number | string): number {
  return score === 'inf' ? Infinity : score === '-inf' ? -Infinity : Number(score);
}

/** The value is larger than the caller is willing to read whole. */
export class TooLargeError extends PreconditionError {
  constructor(
    message: string,
    readonly length: number,
  ) {
    super(message);
  }
}

/**
 * Reads a collection whole, through its scan iterator; a TooLargeError once
 * it holds more than `maxItems` (nothing more is read).
 */
export async function readCollection(client: RedisClient, key: Buffer, type: EditableType, maxItems: number): Promise<CollectionValue> {
  const seen = new Map<string, HashEntry | ZsetEntry | Buffer>();
  const list: Buffer[] = [];
  const tooLarge = (): TooLargeError =>
    new TooLargeError(
      l10n.t(
        'The {0} "{1}" holds more than {2} items, too many to edit as one document (brokerExplorer.redis.maxEditableItems).',
        typeWord(type),
        displayBytes(key, 80),
        formatCount(maxItems),
      ),
      maxItems + 1,
    );
  for await (const page of iterateValue(client, key, { type, pageSize: Math.min(CHUNK, maxItems + 1) })) {
    for (const item of page.items) {
      if (type === 'list') list.push(toBuffer(item as JsonBytes));
      else if (type === 'set') {
        const m = toBuffer(item as JsonBytes);
        seen.set(id(m), m);
      } else if (type === 'hash') {
        const h = item as HashItem;
        const field = toBuffer(h.field);
        seen.set(id(field), { field, value: toBuffer(h.value) });
      } else {
        const z = item as ZsetItem;
        const member = toBuffer(z.member);
        seen.set(id(member), { member, score: scoreOf(z.score) });
      }
    }
    if (list.length > maxItems || seen.size > maxItems) throw tooLarge();
  }
  const values = [...seen.values()];
  switch (type) {
    case 'list':
      return { type, items: list };
    case 'set':
      return { type, members: values as Buffer[] };
    case 'hash':
      return { type, entries: values as HashEntry[] };
    case 'zset':
      return { type, entries: values as ZsetEntry[] };
  }
}

function emptyCollection(type: EditableType): CollectionValue {
  return type === 'list' ? { type, items: [] } : type === 'set' ? { type, members: [] } : { type, entries: [] };
}

/** True when two versions of a collection hold the same items (set and hash order does not count). */
export function sameCollection(a: CollectionValue, b: CollectionValue): boolean {
  if (a.type !== b.type || collectionSize(a) !== collectionSize(b)) return false;
  if (a.type === 'list' && b.type === 'list') return a.items.every((x, i) => x.equals(b.items[i]));
  return planEdit(Buffer.alloc(0), a, b).commands.length === 0;
}

export interface EditPlan {
  /** The write commands, in order (each argv starts with the command name). */
  commands: RedisArg[][];
  /** Fields, members or elements written or removed. */
  changes: number;
  /** A list whose length changes: from / to. */
  lengthChange?: { from: number; to: number };
}

function chunked(command: string, key: Buffer, args: RedisArg[], perItem: number): RedisArg[][] {
  const out: RedisArg[][] = [];
  for (let i = 0; i < args.length; i += CHUNK * perItem) out.push([command, key, ...args.slice(i, i + CHUNK * perItem)]);
  return out;
}

/** The fewest writes that turn `from` into `to` (both of one type). */
export function planEdit(key: Buffer, from: CollectionValue, to: CollectionValue): EditPlan {
  if (from.type !== to.type) throw new BrokerError(l10n.t('A {0} cannot be edited into a {1}.', typeWord(from.type), typeWord(to.type)));
  if (from.type === 'list' && to.type === 'list') {
    const commands: RedisArg[][] = [];
    let changes = 0;
    const common = Math.min(from.items.length, to.items.length);
    for (let i = 0; i < common; i++) {
      const next = to.items[i];
      if (!next.equals(from.items[i])) {
        commands.push(['LSET', key, String(i), next]);
        changes++;
      }
    }
    if (to.items.length < from.items.length) {
      commands.push(['LTRIM', key, '0', String(to.items.length - 1)]);
      changes += from.items.length - to.items.length;
    } else if (to.items.length > from.items.length) {
      commands.push(...chunked('RPUSH', key, to.items.slice(common), 1));
      changes += to.items.length - common;
    }
    return {
      commands,
      changes,
      ...(from.items.length !== to.items.length ? { lengthChange: { from: from.items.length, to: to.items.length } } : {}),
    };
  }
  if (from.type === 'set' && to.type === 'set') {
    const before = new Set(from.members.map(id));
    const after = new Set(to.members.map(id));
    const add = to.members.filter((m) => !before.has(id(m)));
    const remove = from.members.filter((m) => !after.has(id(m)));
    return { commands: [...chunked('SREM', key, remove, 1), ...chunked('SADD', key, add, 1)], changes: add.length + remove.length };
  }
  if (from.type === 'hash' && to.type === 'hash') {
    const before = new Map(from.entries.map((e) => [id(e.field), e.value]));
    const after = new Set(to.entries.map((e) => id(e.field)));
    const set = to.entries.filter((e) => !before.get(id(e.field))?.equals(e.value));
    const remove = from.entries.filter((e) => !after.has(id(e.field))).map((e) => e.field);
    return {
      commands: [
        ...chunked('HDEL', key, remove, 1),
        ...chunked(
          'HSET',
          key,
          set.flatMap((e) => [e.field, e.value]),
          2,
        ),
      ],
      changes: set.length + remove.length,
    };
  }
  if (from.type === 'zset' && to.type === 'zset') {
    const before = new Map(from.entries.map((e) => [id(e.member), e.score]));
    const after = new Set(to.entries.map((e) => id(e.member)));
    const set = to.entries.filter((e) => before.get(id(e.member)) !== e.score);
    const remove = from.entries.filter((e) => !after.has(id(e.member))).map((e) => e.member);
    return {
      commands: [
        ...chunked('ZREM', key, remove, 1),
        ...chunked(
          'ZADD',
          key,
          set.flatMap((e) => [scoreArg(e.score), e.member]),
          2,
        ),
      ],
      changes: set.length + remove.length,
    };
  }
  throw new BrokerError(l10n.t('A {0} cannot be edited as a document.', typeWord(from.type)));
}

/** How a compare-and-set save of a collection ended. */
export type CollectionSaveOutcome =
  /** Written (or nothing to write); `commands` write commands were sent inside MULTI / EXEC. */
  | { outcome: 'saved'; commands: number; changes: number }
  /** The collection differs from what the document was opened from: nothing was written. `current` is undefined when it grew too large to read. */
  | { outcome: 'conflict'; current: CollectionValue | undefined }
  /** The key holds another type now: nothing was written. */
  | { outcome: 'wrongType'; type: string }
  /** The key was deleted since it was read: nothing was written. */
  | { outcome: 'gone' }
  /** The list's length would change and `allowLengthChange` was not given: nothing was written. */
  | { outcome: 'lengthChange'; from: number; to: number };

export interface CollectionSaveOptions {
  /** Write the document whatever the server holds now (the user chose Overwrite): the change is computed from the server's value. */
  force?: boolean;
  /** The user confirmed that the list's length changes. */
  allowLengthChange?: boolean;
  /** Largest collection read whole (the same bound the document was opened with). */
  maxItems: number;
}

/**
 * Saves `next` over the collection at `key` opened as `base`, with a
 * compare-and-set on a dedicated connection. Refused on a read-only
 * profile before anything is sent.
 */
export async function saveCollectionCas(
  session: RedisSession,
  key: Buffer,
  base: CollectionValue,
  next: CollectionValue,
  options: CollectionSaveOptions,
): Promise<CollectionSaveOutcome> {
  const name = displayBytes(key, 80);
  session.assertWritable(l10n.t('saving the {0} "{1}"', typeWord(next.type), name));
  const conn = await session.dedicated('save');
  try {
    await conn.watch(key);
    const type = String(await conn.type(key));
    let from = base;
    // A forced save of a deleted key creates it again from the document.
    const recreate = type === 'none' && options.force === true;
    if (type !== next.type && !recreate) {
      await conn.unwatch();
      return type === 'none' ? { outcome: 'gone' } : { outcome: 'wrongType', type };
    }
    let current: CollectionValue;
    try {
      current = recreate ? emptyCollection(next.type) : await readCollection(conn, key, next.type, options.maxItems);
    } catch (err) {
      if (!(err instanceof TooLargeError)) throw err;
      await conn.unwatch();
      return { outcome: 'conflict', current: undefined };
    }
    if (options.force) from = current;
    else if (!sameCollection(base, current)) {
      await conn.unwatch();
      return { outcome: 'conflict', current };
    }
    const plan = planEdit(key, from, next);
    if (plan.lengthChange && !options.allowLengthChange) {
      await conn.unwatch();
      return { outcome: 'lengthChange', ...plan.lengthChange };
    }
    if (plan.commands.length === 0) {
      await conn.unwatch();
      return { outcome: 'saved', commands: 0, changes: 0 };
    }
    const multi = conn.multi();
    for (const [command, ...args] of plan.commands) multi.call(String(command), ...args);
    const exec = await multi.exec();
    if (exec === null) {
      const after = await readCollection(conn, key, next.type, options.maxItems).catch(() => undefined);
      return { outcome: 'conflict', current: after };
    }
    const failed = exec.find(([err]) => err);
    if (failed?.[0])
      throw new BrokerError(
        l10n.t(
          'Saving the {0} "{1}" on profile "{2}" failed: {3}.',
          typeWord(next.type),
          name,
          session.profile.name,
          errorMessage(failed[0]),
        ),
      );
    return { outcome: 'saved', commands: plan.commands.length, changes: plan.changes };
  } finally {
    conn.disconnect();
  }
}
