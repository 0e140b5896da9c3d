/**
 * List operations, including LREM's count semantics (0 all, n from the
 * head, -n from the tail) and the blocking pops, which run on a dedicated
 * connection so nothing else waits behind them.
 */
import * as l10n from '@vscode/l10n';
import type { RedisClient } from './redisClient';
import { InputError } from '../errors';
import type { Args } from './opsSpec';
import { arg, bytesResult, defineOps, MAX_RESULT_ITEMS, opt } from './opsSpec';
import type { JsonValue } from './replyJson';

const key = arg('key', 'key', 'Key');
const values = arg('values', 'bytesList', 'Values');
const source = arg('source', 'key', 'Source list');
const destination = arg('destination', 'key', 'Destination list');
const timeout = arg('timeout', 'float', 'Timeout (seconds, 0 waits forever)', { min: 0 });
const side = (name: 'from' | 'to', label: string) => arg(name, 'enum', label, { values: ['LEFT', 'RIGHT'] });

function popResult(raw: unknown): JsonValue {
  return Array.isArray(raw) ? raw.map(bytesResult) : bytesResult(raw);
}

/** LRANGE with the range checked against LLEN first, so a huge list is never read whole. */
async function boundedRange(client: RedisClient, a: Args): Promise<JsonValue> {
  const k = a.buf('key');
  const length = Number(await client.llen(k));
  const norm = (i: number): number => (i < 0 ? Math.max(length + i, 0) : i);
  const start = norm(a.num('start'));
  const stop = Math.min(norm(a.num('stop')), length - 1);
  const n = stop >= start ? stop - start + 1 : 0;
  if (n > MAX_RESULT_ITEMS)
    throw new InputError(
      l10n.t('LRANGE would return {0} elements: ask for at most {1}, or scan the list page by page.', n, MAX_RESULT_ITEMS),
    );
  const raw = await client.lrangeBuffer(k, a.str('start'), a.str('stop'));
  return raw.map(bytesResult);
}

/** LPOP / RPOP: one spec, the end it pops from named. */
function popOp<const N extends string, const C extends string>(name: N, command: C, end: 'first' | 'last') {
  return {
    name,
    family: 'list',
    command,
    summary: `Remove and return the ${end} element (or the ${end} count)`,
    write: true,
    keyTypes: ['list'],
    args: [key, opt('count', 'integer', 'Count', { min: 1, max: MAX_RESULT_ITEMS })],
    argv: (a: Args) => [a.buf('key'), ...(a.has('count') ? [a.str('count')] : [])],
    result: popResult,
  } as const;
}

/** BLPOP / BRPOP: one spec, the end it waits on named. */
function blockingPopOp<const N extends string, const C extends string>(name: N, command: C, end: 'first' | 'last') {
  return {
    name,
    family: 'list',
    command,
    summary: `Wait for the ${end} element of the first non-empty list; null on timeout`,
    write: true,
    blocking: true,
    keyTypes: ['list'],
    args: [arg('keys', 'keys', 'Lists'), timeout],
    argv: (a: Args) => [...a.bufs('keys'), a.str('timeout')],
    result: (raw: unknown): JsonValue => (Array.isArray(raw) ? { key: bytesResult(raw[0]), value: bytesResult(raw[1]) } : null),
  } as const;
}

export const LIST_OPS = defineOps([
  {
    name: 'lpush',
    family: 'list',
    command: 'LPUSH',
    summary: 'Insert values at the head; returns the new length',
    write: true,
    keyTypes: ['list'],
    args: [key, values],
    argv: (a) => [a.buf('key'), ...a.bufs('values')],
    result: 'integer',
  },
  {
    name: 'rpush',
    family: 'list',
    command: 'RPUSH',
    summary: 'Append values at the tail; returns the new length',
    write: true,
    keyTypes: ['list'],
    args: [key, values],
    argv: (a) => [a.buf('key'), ...a.bufs('values')],
    result: 'integer',
  },
  {
    name: 'lpushx',
    family: 'list',
    command: 'LPUSHX',
    summary: 'Insert at the head only if the list exists',
    write: true,
    keyTypes: ['list'],
    args: [key, values],
    argv: (a) => [a.buf('key'), ...a.bufs('values')],
    result: 'integer',
  },
  {
    name: 'rpushx',
    family: 'list',
    command: 'RPUSHX',
    summary: 'Append at the tail only if the list exists',
    write: true,
    keyTypes: ['list'],
    args: [key, values],
    argv: (a) => [a.buf('key'), ...a.bufs('values')],
    result: 'integer',
  },
  {
    name: 'linsert',
    family: 'list',
    command: 'LINSERT',
    summary: 'Insert before or after the first element equal to a pivot; -1 when the pivot is absent',
    write: true,
    keyTypes: ['list'],
    args: [
      key,
      arg('where', 'enum', 'Where', { values: ['BEFORE', 'AFTER'] }),
      arg('pivot', 'bytes', 'Pivot'),
      arg('value', 'bytes', 'Value'),
    ],
    argv: (a) => [a.buf('key'), a.str('where'), a.buf('pivot'), a.buf('value')],
    result: 'integer',
  },
  {
    name: 'lset',
    family: 'list',
    command: 'LSET',
    summary: 'Replace the element at an index',
    write: true,
    keyTypes: ['list'],
    args: [key, arg('index', 'integer', 'Index'), arg('value', 'bytes', 'Value')],
    argv: (a) => [a.buf('key'), a.str('index'), a.buf('value')],
    result: 'ok',
  },
  {
    name: 'lrem',
    family: 'list',
    command: 'LREM',
    summary: 'Remove elements equal to a value: count 0 all, n the first n from the head, -n the first n from the tail',
    write: true,
    keyTypes: ['list'],
    args: [key, arg('count', 'integer', 'Count'), arg('value', 'bytes', 'Value')],
    argv: (a) => [a.buf('key'), a.str('count'), a.buf('value')],
    result: 'integer',
  },
  popOp('lpop', 'LPOP', 'first'),
  popOp('rpop', 'RPOP', 'last'),
  {
    name: 'lindex',
    family: 'list',
    command: 'LINDEX',
    summary: 'The element at an index (negative from the tail)',
    write: false,
    keyTypes: ['list'],
    args: [key, arg('index', 'integer', 'Index')],
    argv: (a) => [a.buf('key'), a.str('index')],
    result: 'bytes',
  },
  {
    name: 'lrange',
    family: 'list',
    command: 'LRANGE',
    summary: `Elements from start to stop (inclusive; negative from the tail), at most ${MAX_RESULT_ITEMS}`,
    write: false,
    keyTypes: ['list'],
    args: [key, arg('start', 'integer', 'Start'), arg('stop', 'integer', 'Stop')],
    run: boundedRange,
  },
  {
    name: 'ltrim',
    family: 'list',
    command: 'LTRIM',
    summary: 'Keep only the elements from start to stop',
    write: true,
    keyTypes: ['list'],
    args: [key, arg('start', 'integer', 'Start'), arg('stop', 'integer', 'Stop')],
    argv: (a) => [a.buf('key'), a.str('start'), a.str('stop')],
    result: 'ok',
  },
  {
    name: 'llen',
    family: 'list',
    command: 'LLEN',
    summary: 'Length of a list',
    write: false,
    keyTypes: ['list'],
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'integer',
  },
  {
    name: 'rpoplpush',
    family: 'list',
    command: 'RPOPLPUSH',
    summary: 'Move the last element of one list to the head of another',
    write: true,
    keyTypes: ['list'],
    args: [source, destination],
    argv: (a) => [a.buf('source'), a.buf('destination')],
    result: 'bytes',
  },
  {
    name: 'lmove',
    family: 'list',
    command: 'LMOVE',
    summary: 'Move an element from one end of a list to one end of another',
    write: true,
    keyTypes: ['list'],
    args: [source, destination, side('from', 'From'), side('to', 'To')],
    argv: (a) => [a.buf('source'), a.buf('destination'), a.str('from'), a.str('to')],
    result: 'bytes',
  },
  blockingPopOp('blpop', 'BLPOP', 'first'),
  blockingPopOp('brpop', 'BRPOP', 'last'),
  {
    name: 'brpoplpush',
    family: 'list',
    command: 'BRPOPLPUSH',
    summary: 'Wait, then move the last element of one list to the head of another; null on timeout',
    write: true,
    blocking: true,
    keyTypes: ['list'],
    args: [source, destination, timeout],
    argv: (a) => [a.buf('source'), a.buf('destination'), a.str('timeout')],
    result: 'bytes',
  },
  {
    name: 'blmove',
    family: 'list',
    command: 'BLMOVE',
    summary: 'Wait, then move an element between lists; null on timeout',
    write: true,
    blocking: true,
    keyTypes: ['list'],
    args: [source, destination, side('from', 'From'), side('to', 'To'), timeout],
    argv: (a) => [a.buf('source'), a.buf('destination'), a.str('from'), a.str('to'), a.str('timeout')],
    result: 'bytes',
  },
]);
