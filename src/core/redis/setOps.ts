/**
 * Set operations. SINTER / SUNION / SDIFF check the sizes first (SCARD) and
 * ask for the *STORE form when the result could be too large to return.
 */
import * as l10n from '@vscode/l10n';
import type { RedisClient } from './redisClient';
import { InputError } from '../errors';
import type { Args } from './opsSpec';
import { arg, bytesResult, defineOps, MAX_RESULT_ITEMS, opt } from './opsSpec';
import type { JsonValue } from './replyJson';
import { scanValue } from './valueScanner';

const key = arg('key', 'key', () => l10n.t('Key'));
const member = arg('member', 'bytes', () => l10n.t('Member'));
const members = arg('members', 'bytesList', () => l10n.t('Members'));
const keys = arg('keys', 'keys', () => l10n.t('Sets'));
const destination = arg('destination', 'key', () => l10n.t('Destination key'));

function manyOrOne(raw: unknown): JsonValue {
  return Array.isArray(raw) ? raw.map(bytesResult) : bytesResult(raw);
}

/** SINTER / SUNION / SDIFF, refused when the result could exceed MAX_RESULT_ITEMS. */
function combine(command: 'SINTER' | 'SUNION' | 'SDIFF') {
  return async (client: RedisClient, a: Args): Promise<JsonValue> => {
    const ks = a.bufs('keys');
    const pipeline = client.pipeline();
    for (const k of ks) pipeline.scard(k);
    const cards = ((await pipeline.exec()) ?? []).map(([err, n]) => {
      if (err) throw err;
      return Number(n);
    });
    const bound = command === 'SUNION' ? cards.reduce((s, n) => s + n, 0) : command === 'SINTER' ? Math.min(...cards) : cards[0];
    if (bound > MAX_RESULT_ITEMS) {
      throw new InputError(
        l10n.t('{0} could return up to {1} members: use {2} into a key and scan it instead.', command, bound, `${command}STORE`),
      );
    }
    const raw = (await client.callBuffer(command, ...ks)) as Buffer[];
    return raw.map(bytesResult);
  };
}

export const SET_OPS = defineOps([
  {
    name: 'sadd',
    family: 'set',
    command: 'SADD',
    get summary(): string {
      return l10n.t('Add members; returns how many were new');
    },
    write: true,
    keyTypes: ['set'],
    args: [key, members],
    argv: (a) => [a.buf('key'), ...a.bufs('members')],
    result: 'integer',
  },
  {
    name: 'srem',
    family: 'set',
    command: 'SREM',
    get summary(): string {
      return l10n.t('Remove members; returns how many existed');
    },
    write: true,
    keyTypes: ['set'],
    args: [key, members],
    argv: (a) => [a.buf('key'), ...a.bufs('members')],
    result: 'integer',
  },
  {
    name: 'smove',
    family: 'set',
    command: 'SMOVE',
    get summary(): string {
      return l10n.t('Move a member from one set to another');
    },
    write: true,
    keyTypes: ['set'],
    args: [arg('source', 'key', () => l10n.t('Source set')), destination, member],
    argv: (a) => [a.buf('source'), a.buf('destination'), a.buf('member')],
    result: 'boolean',
  },
  {
    name: 'spop',
    family: 'set',
    command: 'SPOP',
    get summary(): string {
      return l10n.t('Remove and return random members');
    },
    write: true,
    keyTypes: ['set'],
    args: [key, opt('count', 'integer', () => l10n.t('Count'), { min: 1, max: MAX_RESULT_ITEMS })],
    argv: (a) => [a.buf('key'), ...(a.has('count') ? [a.str('count')] : [])],
    result: manyOrOne,
  },
  {
    name: 'srandmember',
    family: 'set',
    command: 'SRANDMEMBER',
    get summary(): string {
      return l10n.t('Random members without removing them (a negative count may repeat members)');
    },
    write: false,
    keyTypes: ['set'],
    args: [key, opt('count', 'integer', () => l10n.t('Count'), { min: -MAX_RESULT_ITEMS, max: MAX_RESULT_ITEMS })],
    argv: (a) => [a.buf('key'), ...(a.has('count') ? [a.str('count')] : [])],
    result: manyOrOne,
  },
  {
    name: 'sismember',
    family: 'set',
    command: 'SISMEMBER',
    get summary(): string {
      return l10n.t('Whether a member is in the set');
    },
    write: false,
    keyTypes: ['set'],
    args: [key, member],
    argv: (a) => [a.buf('key'), a.buf('member')],
    result: 'boolean',
  },
  {
    name: 'smismember',
    family: 'set',
    command: 'SMISMEMBER',
    get summary(): string {
      return l10n.t('Whether each member is in the set');
    },
    write: false,
    keyTypes: ['set'],
    args: [key, members],
    argv: (a) => [a.buf('key'), ...a.bufs('members')],
    result: (raw) => (Array.isArray(raw) ? raw.map((n) => Number(n) === 1) : []),
  },
  {
    name: 'scard',
    family: 'set',
    command: 'SCARD',
    get summary(): string {
      return l10n.t('Number of members');
    },
    write: false,
    keyTypes: ['set'],
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'integer',
  },
  {
    name: 'smembers',
    family: 'set',
    command: 'SSCAN',
    get summary(): string {
      return l10n.t('Members, one page at a time');
    },
    write: false,
    keyTypes: ['set'],
    args: [
      key,
      opt('cursor', 'integer', () => l10n.t('Cursor'), { min: 0 }),
      opt('count', 'integer', () => l10n.t('COUNT hint'), { min: 1 }),
      opt('limit', 'integer', () => l10n.t('Page size'), { min: 1, max: MAX_RESULT_ITEMS }),
      opt('match', 'bytes', () => l10n.t('MATCH pattern')),
    ],
    run: async (client, a) => {
      const page = await scanValue(client, a.buf('key'), {
        type: 'set',
        cursor: a.text('cursor') ?? '0',
        ...(a.has('count') ? { count: a.num('count') } : {}),
        ...(a.has('limit') ? { limit: a.num('limit') } : {}),
        ...(a.has('match') ? { match: a.buf('match') } : {}),
      });
      return { items: page.items as JsonValue[], cursor: page.cursor, complete: page.complete };
    },
  },
  {
    name: 'sinter',
    family: 'set',
    command: 'SINTER',
    get summary(): string {
      return l10n.t('Members in every set');
    },
    write: false,
    keyTypes: ['set'],
    args: [keys],
    run: combine('SINTER'),
  },
  {
    name: 'sunion',
    family: 'set',
    command: 'SUNION',
    get summary(): string {
      return l10n.t('Members in any set');
    },
    write: false,
    keyTypes: ['set'],
    args: [keys],
    run: combine('SUNION'),
  },
  {
    name: 'sdiff',
    family: 'set',
    command: 'SDIFF',
    get summary(): string {
      return l10n.t('Members of the first set not in the others');
    },
    write: false,
    keyTypes: ['set'],
    args: [keys],
    run: combine('SDIFF'),
  },
  {
    name: 'sinterstore',
    family: 'set',
    command: 'SINTERSTORE',
    get summary(): string {
      return l10n.t('Store the intersection; returns its size');
    },
    write: true,
    keyTypes: ['set'],
    args: [destination, keys],
    argv: (a) => [a.buf('destination'), ...a.bufs('keys')],
    result: 'integer',
  },
  {
    name: 'sunionstore',
    family: 'set',
    command: 'SUNIONSTORE',
    get summary(): string {
      return l10n.t('Store the union; returns its size');
    },
    write: true,
    keyTypes: ['set'],
    args: [destination, keys],
    argv: (a) => [a.buf('destination'), ...a.bufs('keys')],
    result: 'integer',
  },
  {
    name: 'sdiffstore',
    family: 'set',
    command: 'SDIFFSTORE',
    get summary(): string {
      return l10n.t('Store the difference; returns its size');
    },
    write: true,
    keyTypes: ['set'],
    args: [destination, keys],
    argv: (a) => [a.buf('destination'), ...a.bufs('keys')],
    result: 'integer',
  },
]);
