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

const key = arg('key', 'key', () => l10n.t('Key'));
const values = arg('values', 'bytesList', () => l10n.t('Values'));
const source = arg('source', 'key', () => l10n.t('Source list'));
const destination = arg('destination', 'key', () => l10n.t('Destination list'));
const timeout = arg('timeout', 'float', () => l10n.t('Timeout (seconds, 0 waits forever)'), { min: 0 });
const side = (name: 'from' | 'to', label: () => string) => arg(name, 'enum', label, { values: ['LEFT', 'RIGHT'] });

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
    get summary(): string {
      return end === 'first'
        ? l10n.t('Remove and return the first element (or the first count)')
        : l10n.t('Remove and return the last element (or the last count)');
    },
    write: true,
    keyTypes: ['list'],
    args: [key, opt('count', 'integer', () => l10n.t('Count'), { min: 1, max: MAX_RESULT_ITEMS })],
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
    get summary(): string {
      return end === 'first'
        ? l10n.t('Wait for the first element of the first non-empty list; null on timeout')
        : l10n.t('Wait for the last element of the first non-empty list; null on timeout');
    },
    write: true,
    blocking: true,
    keyTypes: ['list'],
    args: [arg('keys', 'keys', () => l10n.t('Lists')), timeout],
    argv: (a: Args) => [...a.bufs('keys'), a.str('timeout')],
    result: (raw: unknown): JsonValue => (Array.isArray(raw) ? { key: bytesResult(raw[0]), value: bytesResult(raw[1]) } : null),
  } as const;
}

export const LIST_OPS = defineOps([
  {
    name: 'lpush',
    family: 'list',
    command: 'LPUSH',
    get summary(): string {
      return l10n.t('Insert values at the head; returns the new length');
    },
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
    get summary(): string {
      return l10n.t('Append values at the tail; returns the new length');
    },
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
    get summary(): string {
      return l10n.t('Insert at the head only if the list exists');
    },
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
    get summary(): string {
      return l10n.t('Append at the tail only if the list exists');
    },
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
    get summary(): string {
      return l10n.t('Insert before or after the first element equal to a pivot; -1 when the pivot is absent');
    },
    write: true,
    keyTypes: ['list'],
    args: [
      key,
      arg('where', 'enum', () => l10n.t('Where'), { values: ['BEFORE', 'AFTER'] }),
      arg('pivot', 'bytes', () => l10n.t('Pivot')),
      arg('value', 'bytes', () => l10n.t('Value')),
    ],
    argv: (a) => [a.buf('key'), a.str('where'), a.buf('pivot'), a.buf('value')],
    result: 'integer',
  },
  {
    name: 'lset',
    family: 'list',
    command: 'LSET',
    get summary(): string {
      return l10n.t('Replace the element at an index');
    },
    write: true,
    keyTypes: ['list'],
    args: [key, arg('index', 'integer', () => l10n.t('Index')), arg('value', 'bytes', () => l10n.t('Value'))],
    argv: (a) => [a.buf('key'), a.str('index'), a.buf('value')],
    result: 'ok',
  },
  {
    name: 'lrem',
    family: 'list',
    command: 'LREM',
    get summary(): string {
      return l10n.t('Remove elements equal to a value: count 0 all, n the first n from the head, -n the first n from the tail');
    },
    write: true,
    keyTypes: ['list'],
    args: [key, arg('count', 'integer', () => l10n.t('Count')), arg('value', 'bytes', () => l10n.t('Value'))],
    argv: (a) => [a.buf('key'), a.str('count'), a.buf('value')],
    result: 'integer',
  },
  popOp('lpop', 'LPOP', 'first'),
  popOp('rpop', 'RPOP', 'last'),
  {
    name: 'lindex',
    family: 'list',
    command: 'LINDEX',
    get summary(): string {
      return l10n.t('The element at an index (negative from the tail)');
    },
    write: false,
    keyTypes: ['list'],
    args: [key, arg('index', 'integer', () => l10n.t('Index'))],
    argv: (a) => [a.buf('key'), a.str('index')],
    result: 'bytes',
  },
  {
    name: 'lrange',
    family: 'list',
    command: 'LRANGE',
    get summary(): string {
      return l10n.t('Elements from start to stop (inclusive; negative from the tail), at most {0}', MAX_RESULT_ITEMS);
    },
    write: false,
    keyTypes: ['list'],
    args: [
      key,
      arg('start', 'integer', () => l10n.t('Start')),
      arg('stop', 'integer', () => l10n.t({ message: 'Stop', comment: ['the end of a range'] })),
    ],
    run: boundedRange,
  },
  {
    name: 'ltrim',
    family: 'list',
    command: 'LTRIM',
    get summary(): string {
      return l10n.t('Keep only the elements from start to stop');
    },
    write: true,
    keyTypes: ['list'],
    args: [
      key,
      arg('start', 'integer', () => l10n.t('Start')),
      arg('stop', 'integer', () => l10n.t({ message: 'Stop', comment: ['the end of a range'] })),
    ],
    argv: (a) => [a.buf('key'), a.str('start'), a.str('stop')],
    result: 'ok',
  },
  {
    name: 'llen',
    family: 'list',
    command: 'LLEN',
    get summary(): string {
      return l10n.t('Length of a list');
    },
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
    get summary(): string {
      return l10n.t('Move the last element of one list to the head of another');
    },
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
    get summary(): string {
      return l10n.t('Move an element from one end of a list to one end of another');
    },
    write: true,
    keyTypes: ['list'],
    args: [source, destination, side('from', () => l10n.t('From')), side('to', () => l10n.t('To'))],
    argv: (a) => [a.buf('source'), a.buf('destination'), a.str('from'), a.str('to')],
    result: 'bytes',
  },
  blockingPopOp('blpop', 'BLPOP', 'first'),
  blockingPopOp('brpop', 'BRPOP', 'last'),
  {
    name: 'brpoplpush',
    family: 'list',
    command: 'BRPOPLPUSH',
    get summary(): string {
      return l10n.t('Wait, then move the last element of one list to the head of another; null on timeout');
    },
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
    get summary(): string {
      return l10n.t('Wait, then move an element between lists; null on timeout');
    },
    write: true,
    blocking: true,
    keyTypes: ['list'],
    args: [source, destination, side('from', () => l10n.t('From')), side('to', () => l10n.t('To')), timeout],
    argv: (a) => [a.buf('source'), a.buf('destination'), a.str('from'), a.str('to'), a.str('timeout')],
    result: 'bytes',
  },
]);
