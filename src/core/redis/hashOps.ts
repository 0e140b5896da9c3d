/**
 * Hash operations. HKEYS / HVALS / HGETALL are paged through HSCAN, never
 * read whole.
 */
import type { RedisClient } from './redisClient';
import type { Args } from './opsSpec';
import { arg, defineOps, opt } from './opsSpec';
import type { JsonValue } from './replyJson';
import { scanValue, type HashItem } from './valueScanner';

const key = arg('key', 'key', 'Key');
const field = arg('field', 'bytes', 'Field');
const fields = arg('fields', 'bytesList', 'Fields');
const paging = [
  opt('cursor', 'integer', 'Cursor', { min: 0, help: 'pass back the cursor of the previous page; 0 starts' }),
  opt('count', 'integer', 'COUNT hint', { min: 1 }),
  opt('limit', 'integer', 'Page size', { min: 1, max: 10_000 }),
  opt('match', 'bytes', 'MATCH pattern'),
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
    summary: 'Set fields; returns how many were added',
    write: true,
    keyTypes: ['hash'],
    args: [key, arg('fields', 'pairs', 'Fields and values', { pairNames: ['field', 'value'] })],
    argv: (a) => [a.buf('key'), ...a.pairs('fields').flat()],
    result: 'integer',
  },
  {
    name: 'hsetnx',
    family: 'hash',
    command: 'HSETNX',
    summary: 'Add a field only if it is absent',
    write: true,
    keyTypes: ['hash'],
    args: [key, field, arg('value', 'bytes', 'Value')],
    argv: (a) => [a.buf('key'), a.buf('field'), a.buf('value')],
    result: 'boolean',
  },
  {
    name: 'hget',
    family: 'hash',
    command: 'HGET',
    summary: 'Get a field',
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
    summary: 'Get several fields (null for missing ones)',
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
    summary: 'Delete fields; returns how many existed',
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
    summary: 'Add an integer to a field (exact past 2^53)',
    write: true,
    keyTypes: ['hash'],
    args: [key, field, arg('increment', 'integer', 'Increment')],
    exact: true,
    argv: (a) => [a.buf('key'), a.buf('field'), a.str('increment')],
    result: 'integer',
  },
  {
    name: 'hincrbyfloat',
    family: 'hash',
    command: 'HINCRBYFLOAT',
    summary: 'Add a decimal number to a field',
    write: true,
    keyTypes: ['hash'],
    args: [key, field, arg('increment', 'float', 'Increment')],
    argv: (a) => [a.buf('key'), a.buf('field'), a.str('increment')],
    result: 'float',
  },
  {
    name: 'hexists',
    family: 'hash',
    command: 'HEXISTS',
    summary: 'Whether a field exists',
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
    summary: 'Number of fields',
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
    summary: 'Length of a field’s value in bytes',
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
    summary: 'Field names, one page at a time',
    write: false,
    keyTypes: ['hash'],
    args: [key, ...paging],
    run: (client, a) => hashPage(client, a, (i) => i.field),
  },
  {
    name: 'hvals',
    family: 'hash',
    command: 'HSCAN',
    summary: 'Values, one page at a time',
    write: false,
    keyTypes: ['hash'],
    args: [key, ...paging],
    run: (client, a) => hashPage(client, a, (i) => i.value),
  },
  {
    name: 'hgetall',
    family: 'hash',
    command: 'HSCAN',
    summary: 'Fields and values, one page at a time',
    write: false,
    keyTypes: ['hash'],
    args: [key, ...paging],
    run: (client, a) => hashPage(client, a, (i) => ({ field: i.field, value: i.value })),
  },
]);
