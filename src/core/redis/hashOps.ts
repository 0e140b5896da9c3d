/**
 * Hash operations. HKEYS / HVALS / HGETALL are paged through HSCAN, never
 * read whole.
 */
import * as l10n from '@vscode/l10n';
import type { RedisClient } from './redisClient';
import type { Args } from './opsSpec';
import { arg, defineOps, opt } from './opsSpec';
import type { JsonValue } from './replyJson';
import { scanValue, type HashItem } from './valueScanner';

const key = arg('key', 'key', () => l10n.t('Key'));
const field = arg('field', 'bytes', () => l10n.t('Field'));
const fields = arg('fields', 'bytesList', () => l10n.t('Fields'));
const paging = [
  opt('cursor', 'integer', () => l10n.t('Cursor'), { min: 0, help: () => l10n.t('pass back the cursor of the previous page; 0 starts') }),
  opt('count', 'integer', () => l10n.t('COUNT hint'), { min: 1 }),
  opt('limit', 'integer', () => l10n.t('Page size'), { min: 1, max: 10_000 }),
  opt('match', 'bytes', () => l10n.t('MATCH pattern')),
] as const;

async function hashPage(client: RedisClient, a: Args, pick: (item: HashItem) => JsonValue): Promise<JsonValue> {
  const page = await scanValue(client, a.buf('key'), {
    type: 'hash',
    cursor: a.text('cursor') ?? '0',
    ...(a.has('count') ? { count: a.num('count') } : {}),
    ...(a.has('limit') ? { limit: a.num('limit') } : {}),
    ...(a.has('match') ? { match: a.buf('match') } : {}),
  });
  return { items: (page.items as HashItem[]).map(pick), cursor: page.cursor, complete: page.complete };
}

export const HASH_OPS = defineOps([
  {
    name: 'hset',
    family: 'hash',
    command: 'HSET',
    get summary(): string {
      return l10n.t('Set fields; returns how many were added');
    },
    write: true,
    keyTypes: ['hash'],
    args: [key, arg('fields', 'pairs', () => l10n.t('Fields and values'), { pairNames: ['field', 'value'] })],
    argv: (a) => [a.buf('key'), ...a.pairs('fields').flat()],
    result: 'integer',
  },
  {
    name: 'hsetnx',
    family: 'hash',
    command: 'HSETNX',
    get summary(): string {
      return l10n.t('Add a field only if it is absent');
    },
    write: true,
    keyTypes: ['hash'],
    args: [key, field, arg('value', 'bytes', () => l10n.t('Value'))],
    argv: (a) => [a.buf('key'), a.buf('field'), a.buf('value')],
    result: 'boolean',
  },
  {
    name: 'hget',
    family: 'hash',
    command: 'HGET',
    get summary(): string {
      return l10n.t('Get a field');
    },
    write: false,
    keyTypes: ['hash'],
    args: [key, field],
    argv: (a) => [a.buf('key'), a.buf('field')],
    result: 'bytes',
  },
  {
    name: 'hmget',
    family: 'hash',
    command: 'HMGET',
    get summary(): string {
      return l10n.t('Get several fields (null for missing ones)');
    },
    write: false,
    keyTypes: ['hash'],
    args: [key, fields],
    argv: (a) => [a.buf('key'), ...a.bufs('fields')],
    result: 'bytesList',
  },
  {
    name: 'hdel',
    family: 'hash',
    command: 'HDEL',
    get summary(): string {
      return l10n.t('Delete fields; returns how many existed');
    },
    write: true,
    keyTypes: ['hash'],
    args: [key, fields],
    argv: (a) => [a.buf('key'), ...a.bufs('fields')],
    result: 'integer',
  },
  {
    name: 'hincrby',
    family: 'hash',
    command: 'HINCRBY',
    get summary(): string {
      return l10n.t('Add an integer to a field (exact past 2^53)');
    },
    write: true,
    keyTypes: ['hash'],
    args: [key, field, arg('increment', 'integer', () => l10n.t('Increment'))],
    exact: true,
    argv: (a) => [a.buf('key'), a.buf('field'), a.str('increment')],
    result: 'integer',
  },
  {
    name: 'hincrbyfloat',
    family: 'hash',
    command: 'HINCRBYFLOAT',
    get summary(): string {
      return l10n.t('Add a decimal number to a field');
    },
    write: true,
    keyTypes: ['hash'],
    args: [key, field, arg('increment', 'float', () => l10n.t('Increment'))],
    argv: (a) => [a.buf('key'), a.buf('field'), a.str('increment')],
    result: 'float',
  },
  {
    name: 'hexists',
    family: 'hash',
    command: 'HEXISTS',
    get summary(): string {
      return l10n.t('Whether a field exists');
    },
    write: false,
    keyTypes: ['hash'],
    args: [key, field],
    argv: (a) => [a.buf('key'), a.buf('field')],
    result: 'boolean',
  },
  {
    name: 'hlen',
    family: 'hash',
    command: 'HLEN',
    get summary(): string {
      return l10n.t('Number of fields');
    },
    write: false,
    keyTypes: ['hash'],
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'integer',
  },
  {
    name: 'hstrlen',
    family: 'hash',
    command: 'HSTRLEN',
    get summary(): string {
      return l10n.t('Length of a field’s value in bytes');
    },
    write: false,
    keyTypes: ['hash'],
    args: [key, field],
    argv: (a) => [a.buf('key'), a.buf('field')],
    result: 'integer',
  },
  {
    name: 'hkeys',
    family: 'hash',
    command: 'HSCAN',
    get summary(): string {
      return l10n.t('Field names, one page at a time');
    },
    write: false,
    keyTypes: ['hash'],
    args: [key, ...paging],
    run: (client, a) => hashPage(client, a, (i) => i.field),
  },
  {
    name: 'hvals',
    family: 'hash',
    command: 'HSCAN',
    get summary(): string {
      return l10n.t('Values, one page at a time');
    },
    write: false,
    keyTypes: ['hash'],
    args: [key, ...paging],
    run: (client, a) => hashPage(client, a, (i) => i.value),
  },
  {
    name: 'hgetall',
    family: 'hash',
    command: 'HSCAN',
    get summary(): string {
      return l10n.t('Fields and values, one page at a time');
    },
    write: false,
    keyTypes: ['hash'],
    args: [key, ...paging],
    run: (client, a) => hashPage(client, a, (i) => ({ field: i.field, value: i.value })),
  },
]);
