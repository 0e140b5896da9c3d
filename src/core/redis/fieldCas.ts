/**
 * The value editor's writes, each a compare-and-set on one element of a
 * collection: WATCH the key, re-read the element, compare with what the user
 * was shown, then MULTI / write / EXEC on a connection of its own. When EXEC
 * fails because something else in the key changed (another field), the edit
 * is tried again a bounded number of times; when the element itself changed,
 * nothing is written and the current value comes back so the user can choose.
 * Every write is refused first on a read-only profile (the session guard).
 */
import * as l10n from '@vscode/l10n';
import { displayBytes } from '../bytes';
import { BrokerError, InputError, errorMessage } from '../errors';
import type { RedisClient } from './redisClient';
import type { RedisSession } from './session';
import type { CollectionType } from './valueScanner';

/** One cell edit. `expected` is what the user was shown. */
export type CellEdit =
  | { type: 'hash'; field: Buffer; expected: Buffer; value: Buffer }
  | { type: 'list'; index: number; expected: Buffer; value: Buffer }
  /** Renames a member (same score for a sorted set). */
  | { type: 'set' | 'zset'; member: Buffer; value: Buffer }
  | { type: 'zset-score'; member: Buffer; expected: string; score: string };

export type CasOutcome =
  | { outcome: 'saved' }
  /** The element changed since it was shown (`current`: its value now; null when it is gone): nothing was written. */
  | { outcome: 'conflict'; current: Buffer | null }
  /** The key is gone or holds another type now: nothing was written. */
  | { outcome: 'gone' }
  /** The key kept changing through every retry: nothing was written. */
  | { outcome: 'busy' };

export interface CasOptions {
  /** Write even when the element changed (the user chose to keep theirs). */
  force?: boolean;
  /** Tries when only other elements changed (default 5). */
  retries?: number;
  /** Called inside the WATCH, after the compare and before MULTI (tests change the key here to see a retry). */
  beforeWrite?: (attempt: number) => Promise<void>;
}

const DEFAULT_RETRIES = 5;
const SCORE = /^[+-]?(inf|(\d+\.?\d*|\.\d+)(e[+-]?\d+)?)$/i;

/** A score as Redis takes it, or an InputError before anything is sent. */
export function checkScore(score: string): string {
  const s = score.trim();
  if (!SCORE.test(s)) throw new InputError(l10n.t('The score "{0}" is not a number: give a number such as 1.5, -3 or inf.', score));
  return s;
}

function editType(edit: CellEdit): CollectionType {
  return edit.type === 'zset-score' ? 'zset' : edit.type;
}

/** The element's value now (null: absent), read inside the WATCH. */
async function readElement(conn: RedisClient, key: Buffer, edit: CellEdit): Promise<Buffer | null> {
  switch (edit.type) {
    case 'hash':
      return conn.hgetBuffer(key, edit.field);
    case 'list':
      return conn.lindexBuffer(key, edit.index);
    case 'set':
      return Number(await conn.sismember(key, edit.member)) === 1 ? edit.member : null;
    case 'zset':
      return (await conn.zscore(key, edit.member)) === null ? null : edit.member;
    case 'zset-score': {
      const s = await conn.zscore(key, edit.member);
      return s === null ? null : Buffer.from(String(s));
    }
  }
}

function unchanged(edit: CellEdit, current: Buffer | null): boolean {
  if (current === null) return false;
  switch (edit.type) {
    case 'hash':
    case 'list':
      return current.equals(edit.expected);
    case 'set':
    case 'zset':
      return true; // the member is still there
    case 'zset-score':
      return Number(current.toString()) === Number(edit.expected) || current.toString() === edit.expected;
  }
}

async function write(conn: RedisClient, key: Buffer, edit: CellEdit): Promise<[Error | null, unknown][] | null> {
  const m = conn.multi();
  switch (edit.type) {
    case 'hash':
      m.hset(key, edit.field, edit.value);
      break;
    case 'list':
      m.lset(key, edit.index, edit.value);
      break;
    case 'set':
      m.srem(key, edit.member).sadd(key, edit.value);
      break;
    case 'zset': {
      const score = await conn.zscore(key, edit.member);
      m.zrem(key, edit.member).zadd(key, String(score), edit.value);
      break;
    }
    case 'zset-score':
      m.zadd(key, 'XX', edit.score, edit.member);
      break;
  }
  return m.exec();
}

function label(key: Buffer): string {
  return `"${displayBytes(key, 80)}"`;
}

/** Runs `attempt` on a dedicated connection under WATCH, retrying when EXEC was aborted by a change elsewhere in the key. */
async function watched(
  session: RedisSession,
  key: Buffer,
  retries: number,
  attempt: (conn: RedisClient, attempt: number) => Promise<CasOutcome | [Error | null, unknown][] | null>,
): Promise<CasOutcome> {
  const conn = await session.dedicated('value editor write');
  try {
    for (let i = 0; i <= retries; i++) {
      await conn.watch(key);
      const result = await attempt(conn, i);
      if (result === null) continue; // EXEC aborted: the key changed; re-read and compare again
      if (!Array.isArray(result)) {
        await conn.unwatch();
        return result;
      }
      const failed = result.find(([err]) => err);
      if (failed?.[0])
        throw new BrokerError(
          l10n.t('Writing {0} on profile "{1}" failed: {2}.', label(key), session.profile.name, errorMessage(failed[0])),
        );
      return { outcome: 'saved' };
    }
    return { outcome: 'busy' };
  } finally {
    conn.disconnect();
  }
}

async function typeIs(conn: RedisClient, key: Buffer, type: CollectionType): Promise<boolean> {
  return String(await conn.type(key)) === type;
}

/** Edits one cell with a compare-and-set on that element. */
export async function setCellCas(session: RedisSession, key: Buffer, edit: CellEdit, options: CasOptions = {}): Promise<CasOutcome> {
  session.assertWritable(l10n.t('editing {0}', label(key)));
  if (edit.type === 'zset-score') checkScore(edit.score);
  if (edit.type === 'list' && (!Number.isSafeInteger(edit.index) || edit.index < 0))
    throw new InputError(l10n.t('The list index {0} is not valid: give a whole number of at least 0.', edit.index));
  return watched(session, key, options.retries ?? DEFAULT_RETRIES, async (conn, attempt) => {
    if (!(await typeIs(conn, key, editType(edit)))) return { outcome: 'gone' };
    const current = await readElement(conn, key, edit);
    if (!options.force && !unchanged(edit, current)) return { outcome: 'conflict', current };
    // Forced or not, a list index, member or score that is gone cannot be written in place.
    if (edit.type !== 'hash' && current === null) return { outcome: 'conflict', current };
    await options.beforeWrite?.(attempt);
    return write(conn, key, edit);
  });
}

/** A row to add. */
export type NewRow =
  | { type: 'hash'; field: Buffer; value: Buffer }
  | { type: 'set'; member: Buffer }
  | { type: 'zset'; member: Buffer; score: string }
  | { type: 'list'; value: Buffer; end: 'head' | 'tail' }
  | { type: 'stream'; id?: string; fields: [Buffer, Buffer][] };

export type AddOutcome = { outcome: 'added'; id?: string } | { outcome: 'exists' } | { outcome: 'gone' };

/** Adds a row; refuses (writes nothing) when the field / member exists already, or when the key is gone. */
export async function addRow(session: RedisSession, key: Buffer, row: NewRow): Promise<AddOutcome> {
  session.assertWritable(l10n.t('adding a row to {0}', label(key)));
  if (row.type === 'zset') checkScore(row.score);
  if (row.type === 'stream') {
    if (row.fields.length === 0) throw new InputError(l10n.t('A stream entry needs at least one field: give field and value pairs.'));
    if (row.id !== undefined && row.id !== '*' && !/^\d+(-(\d+|\*))?$/.test(row.id))
      throw new InputError(l10n.t('The entry id "{0}" is not valid: give * (or nothing) for a new id, or <ms>-<seq>.', row.id));
  }
  const client = await session.client();
  if (String(await client.type(key)) !== row.type) return { outcome: 'gone' };
  switch (row.type) {
    case 'hash':
      return Number(await client.hsetnx(key, row.field, row.value)) === 1 ? { outcome: 'added' } : { outcome: 'exists' };
    case 'set':
      return Number(await client.sadd(key, row.member)) === 1 ? { outcome: 'added' } : { outcome: 'exists' };
    case 'zset':
      return Number(await client.zadd(key, 'NX', row.score, row.member)) === 1 ? { outcome: 'added' } : { outcome: 'exists' };
    case 'list':
      await (row.end === 'head' ? client.lpush(key, row.value) : client.rpush(key, row.value));
      return { outcome: 'added' };
    case 'stream': {
      const id = await client.xadd(key, row.id ?? '*', ...row.fields.flat());
      return { outcome: 'added', id: String(id) };
    }
  }
}

/** Rows to delete: fields / members / stream ids, or list elements by index with the value shown. */
export type DeleteRows =
  | { type: 'hash' | 'set' | 'zset'; ids: Buffer[] }
  | { type: 'stream'; ids: string[] }
  | { type: 'list'; items: { index: number; expected: Buffer }[] };

export type DeleteOutcome = { outcome: 'deleted'; count: number } | { outcome: 'conflict' } | { outcome: 'gone' } | { outcome: 'busy' };

/** Deletes rows. List elements are deleted by index under a compare-and-set (each must still hold the value shown). */
export async function deleteRows(session: RedisSession, key: Buffer, rows: DeleteRows, options: CasOptions = {}): Promise<DeleteOutcome> {
  session.assertWritable(l10n.t('deleting rows of {0}', label(key)));
  const client = await session.client();
  switch (rows.type) {
    case 'hash':
      return { outcome: 'deleted', count: rows.ids.length ? Number(await client.hdel(key, ...rows.ids)) : 0 };
    case 'set':
      return { outcome: 'deleted', count: rows.ids.length ? Number(await client.srem(key, ...rows.ids)) : 0 };
    case 'zset':
      return { outcome: 'deleted', count: rows.ids.length ? Number(await client.zrem(key, ...rows.ids)) : 0 };
    case 'stream':
      for (const id of rows.ids)
        if (!/^\d+-\d+$/.test(id)) throw new InputError(l10n.t('The entry id "{0}" is not valid: give <ms>-<seq>.', id));
      return { outcome: 'deleted', count: rows.ids.length ? Number(await client.xdel(key, ...rows.ids)) : 0 };
    case 'list':
      return deleteListItems(session, key, rows.items, options);
  }
}

async function deleteListItems(
  session: RedisSession,
  key: Buffer,
  items: { index: number; expected: Buffer }[],
  options: CasOptions,
): Promise<DeleteOutcome> {
  // A marker no real element holds: LSET each index to it, then LREM every marker, atomically.
  const marker = Buffer.from(`\u0000be-deleted:${Date.now()}:${Math.random()}`);
  const outcome = await watched(session, key, options.retries ?? DEFAULT_RETRIES, async (conn, attempt) => {
    if (!(await typeIs(conn, key, 'list'))) return { outcome: 'gone' };
    for (const item of items) {
      const current = await conn.lindexBuffer(key, item.index);
      if (current === null || !current.equals(item.expected)) return { outcome: 'conflict', current };
    }
    await options.beforeWrite?.(attempt);
    const m = conn.multi();
    for (const item of items) m.lset(key, item.index, marker);
    m.lrem(key, 0, marker);
    return m.exec();
  });
  return outcome.outcome === 'saved'
    ? { outcome: 'deleted', count: items.length }
    : outcome.outcome === 'conflict'
      ? { outcome: 'conflict' }
      : outcome;
}

/** Sets (seconds > 0) or removes (-1) a key's TTL. */
export async function setTtl(session: RedisSession, key: Buffer, seconds: number): Promise<boolean> {
  session.assertWritable(l10n.t('changing the TTL of {0}', label(key)));
  if (seconds !== -1 && (!Number.isSafeInteger(seconds) || seconds < 1))
    throw new InputError(
      l10n.t('The TTL {0} is not valid: give a whole number of seconds of at least 1, or none to keep the key.', seconds),
    );
  const client = await session.client();
  const done = seconds === -1 ? await client.persist(key) : await client.expire(key, seconds);
  return Number(done) === 1 || seconds === -1;
}
