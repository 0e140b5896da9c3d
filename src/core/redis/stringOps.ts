/**
 * String operations: SET and its variants, MSET / MGET, ranges by byte
 * offset, bits, counters (exact past 2^53) and APPEND.
 */
import * as l10n from '@vscode/l10n';
import { displayBytes } from '../bytes';
import { BrokerError, errorMessage } from '../errors';
import type { Args } from './opsSpec';
import type { JsonValue } from './replyJson';
import { bytesResult, defineOps, arg, opt, intResult } from './opsSpec';
import type { RedisSession } from './session';

const key = arg('key', 'key', () => l10n.t('Key'));
const value = arg('value', 'bytes', () => l10n.t('Value'));

/** Bytes a text takes in UTF-8 (a CJK character is 3, an emoji 4): GETRANGE / SETRANGE offsets count these. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** SETEX / PSETEX: one spec, the unit of the expiry named. */
function expiringSetOp<const N extends string, const C extends string, const U extends string>(
  name: N,
  command: C,
  unit: U,
  label: () => string,
) {
  return {
    name,
    family: 'string',
    command,
    get summary(): string {
      return unit === 'seconds' ? l10n.t('Set a value with an expiry in seconds') : l10n.t('Set a value with an expiry in milliseconds');
    },
    write: true,
    destructive: { effect: 'overwrite', verb: command, keys: (a: Args) => [a.buf('key')] },
    args: [key, arg(unit, 'integer', label, { min: 1 }), value],
    argv: (a: Args) => [a.buf('key'), a.str(unit), a.buf('value')],
    result: 'ok',
  } as const;
}

type Step = 'Add 1 to' | 'Add' | 'Subtract 1 from' | 'Subtract';

/** What INCR / DECR / INCRBY / DECRBY do, in the display language. */
function stepSummary(step: Step): string {
  switch (step) {
    case 'Add 1 to':
      return l10n.t('Add 1 to an integer (exact past 2^53)');
    case 'Add':
      return l10n.t('Add an integer (exact past 2^53)');
    case 'Subtract 1 from':
      return l10n.t('Subtract 1 from an integer (exact past 2^53)');
    case 'Subtract':
      return l10n.t('Subtract an integer (exact past 2^53)');
  }
}

/** INCR / DECR: one spec, the direction named. */
function counterOp<const N extends string, const C extends string>(name: N, command: C, step: Step) {
  return {
    name,
    family: 'string',
    command,
    get summary(): string {
      return stepSummary(step);
    },
    write: true,
    keyTypes: ['string'],
    args: [key],
    exact: true,
    argv: (a: Args) => [a.buf('key')],
    result: 'integer',
  } as const;
}

/** INCRBY / DECRBY: INCR / DECR's spec with the amount as an argument. */
function counterByOp<const N extends string, const C extends string, const A extends string>(
  name: N,
  command: C,
  step: 'Add' | 'Subtract',
  amount: A,
  label: () => string,
) {
  // Not a spread of counterOp: a spread would read its summary once, in English, when the module loads.
  return {
    name,
    family: 'string',
    command,
    get summary(): string {
      return stepSummary(step);
    },
    write: true,
    keyTypes: ['string'],
    exact: true,
    result: 'integer',
    args: [key, arg(amount, 'integer', label)],
    argv: (a: Args) => [a.buf('key'), a.str(amount)],
  } as const;
}

export const STRING_OPS = defineOps([
  {
    name: 'set',
    family: 'string',
    command: 'SET',
    get summary(): string {
      return l10n.t('Set a string value, with an optional expiry and NX / XX condition');
    },
    write: true,
    destructive: { effect: 'overwrite', verb: 'SET', keys: (a) => [a.buf('key')], when: (a) => !a.has('condition') },
    keyTypes: ['string'],
    args: [
      key,
      value,
      opt('expiry', 'enum', () => l10n.t('Expiry unit'), {
        values: ['EX', 'PX', 'EXAT', 'PXAT'],
        help: () => l10n.t('EX seconds, PX milliseconds, EXAT / PXAT a Unix time'),
      }),
      opt('ttl', 'integer', () => l10n.t('Expiry'), { min: 1 }),
      opt('condition', 'enum', () => l10n.t('Condition'), {
        values: ['NX', 'XX'],
        help: () => l10n.t('NX only if absent, XX only if present'),
      }),
      opt('keepTtl', 'flag', () => l10n.t('Keep the TTL')),
      opt('get', 'flag', () => l10n.t('Return the previous value')),
    ],
    check: (a) => {
      if (a.has('expiry') !== a.has('ttl'))
        return l10n.t('SET needs both an expiry unit (EX / PX / EXAT / PXAT) and an expiry, or neither.');
      if (a.has('expiry') && a.flag('keepTtl')) return l10n.t('SET cannot both set an expiry and keep the TTL: choose one.');
      return undefined;
    },
    argv: (a) => [
      a.buf('key'),
      a.buf('value'),
      ...(a.has('expiry') ? [a.str('expiry'), a.str('ttl')] : []),
      ...(a.has('condition') ? [a.str('condition')] : []),
      ...(a.flag('keepTtl') ? ['KEEPTTL'] : []),
      ...(a.flag('get') ? ['GET'] : []),
    ],
    result: (raw, a): JsonValue => {
      if (!a.flag('get')) return { set: raw !== null };
      const previous = bytesResult(raw);
      const condition = a.text('condition');
      const set = condition === 'NX' ? previous === null : condition === 'XX' ? previous !== null : true;
      return { set, previous };
    },
  },
  {
    name: 'setnx',
    family: 'string',
    command: 'SETNX',
    get summary(): string {
      return l10n.t('Set a value only if the key does not exist');
    },
    write: true,
    args: [key, value],
    argv: (a) => [a.buf('key'), a.buf('value')],
    result: 'boolean',
  },
  expiringSetOp('setex', 'SETEX', 'seconds', () => l10n.t('Seconds')),
  expiringSetOp('psetex', 'PSETEX', 'milliseconds', () => l10n.t('Milliseconds')),
  {
    name: 'mset',
    family: 'string',
    command: 'MSET',
    get summary(): string {
      return l10n.t('Set several keys at once');
    },
    write: true,
    destructive: { effect: 'overwrite', verb: 'MSET', keys: (a) => a.pairs('pairs').map(([k]) => k) },
    args: [arg('pairs', 'pairs', () => l10n.t('Keys and values'), { pairNames: ['key', 'value'] })],
    argv: (a) => a.pairs('pairs').flat(),
    result: 'ok',
  },
  {
    name: 'msetnx',
    family: 'string',
    command: 'MSETNX',
    get summary(): string {
      return l10n.t('Set several keys only if none of them exists');
    },
    write: true,
    args: [arg('pairs', 'pairs', () => l10n.t('Keys and values'), { pairNames: ['key', 'value'] })],
    argv: (a) => a.pairs('pairs').flat(),
    result: 'boolean',
  },
  {
    name: 'get',
    family: 'string',
    command: 'GET',
    get summary(): string {
      return l10n.t('Get a string value');
    },
    write: false,
    keyTypes: ['string'],
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'bytes',
  },
  {
    name: 'mget',
    family: 'string',
    command: 'MGET',
    get summary(): string {
      return l10n.t('Get several string values (null for missing keys)');
    },
    write: false,
    args: [arg('keys', 'keys', () => l10n.t('Keys'))],
    argv: (a) => a.bufs('keys'),
    result: 'bytesList',
  },
  {
    name: 'getset',
    family: 'string',
    command: 'GETSET',
    get summary(): string {
      return l10n.t('Set a value and return the previous one');
    },
    write: true,
    destructive: { effect: 'overwrite', verb: 'GETSET', keys: (a) => [a.buf('key')] },
    keyTypes: ['string'],
    args: [key, value],
    argv: (a) => [a.buf('key'), a.buf('value')],
    result: 'bytes',
  },
  {
    name: 'getdel',
    family: 'string',
    command: 'GETDEL',
    get summary(): string {
      return l10n.t('Get a value and delete the key');
    },
    write: true,
    keyTypes: ['string'],
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'bytes',
  },
  {
    name: 'getrange',
    family: 'string',
    command: 'GETRANGE',
    get summary(): string {
      return l10n.t('Get a byte range of a string (offsets count UTF-8 bytes: a CJK character is 3)');
    },
    write: false,
    keyTypes: ['string'],
    args: [key, arg('start', 'integer', () => l10n.t('Start byte')), arg('end', 'integer', () => l10n.t('End byte (inclusive)'))],
    argv: (a) => [a.buf('key'), a.str('start'), a.str('end')],
    result: (raw) => {
      const buf = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
      return { value: bytesResult(buf), bytes: buf.length };
    },
  },
  {
    name: 'setrange',
    family: 'string',
    command: 'SETRANGE',
    get summary(): string {
      return l10n.t('Overwrite part of a string from a byte offset');
    },
    write: true,
    keyTypes: ['string'],
    args: [key, arg('offset', 'integer', () => l10n.t('Byte offset'), { min: 0, max: 536870911 }), value],
    argv: (a) => [a.buf('key'), a.str('offset'), a.buf('value')],
    result: (raw, a) => ({ length: intResult(raw), valueBytes: a.buf('value').length }),
  },
  {
    name: 'strlen',
    family: 'string',
    command: 'STRLEN',
    get summary(): string {
      return l10n.t('Length of a string in bytes');
    },
    write: false,
    keyTypes: ['string'],
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'integer',
  },
  {
    name: 'setbit',
    family: 'string',
    command: 'SETBIT',
    get summary(): string {
      return l10n.t('Set one bit; returns the previous bit');
    },
    write: true,
    keyTypes: ['string'],
    args: [
      key,
      arg('offset', 'integer', () => l10n.t('Bit offset'), { min: 0, max: 4294967295 }),
      arg('bit', 'integer', () => l10n.t('Bit'), { min: 0, max: 1 }),
    ],
    argv: (a) => [a.buf('key'), a.str('offset'), a.str('bit')],
    result: 'integer',
  },
  {
    name: 'getbit',
    family: 'string',
    command: 'GETBIT',
    get summary(): string {
      return l10n.t('Get one bit');
    },
    write: false,
    keyTypes: ['string'],
    args: [key, arg('offset', 'integer', () => l10n.t('Bit offset'), { min: 0, max: 4294967295 })],
    argv: (a) => [a.buf('key'), a.str('offset')],
    result: 'integer',
  },
  {
    name: 'bitcount',
    family: 'string',
    command: 'BITCOUNT',
    get summary(): string {
      return l10n.t('Count the set bits, optionally in a range of bytes or bits');
    },
    write: false,
    keyTypes: ['string'],
    args: [
      key,
      opt('start', 'integer', () => l10n.t('Start')),
      opt('end', 'integer', () => l10n.t('End')),
      opt('unit', 'enum', () => l10n.t('Range unit'), { values: ['BYTE', 'BIT'] }),
    ],
    check: (a) =>
      a.has('start') !== a.has('end')
        ? l10n.t('BITCOUNT needs both a start and an end, or neither.')
        : a.has('unit') && !a.has('start')
          ? l10n.t('BITCOUNT takes a range unit only with a start and an end.')
          : undefined,
    argv: (a) => [a.buf('key'), ...(a.has('start') ? [a.str('start'), a.str('end')] : []), ...(a.has('unit') ? [a.str('unit')] : [])],
    result: 'integer',
  },
  {
    name: 'bitop',
    family: 'string',
    command: 'BITOP',
    get summary(): string {
      return l10n.t('Combine strings bit by bit (AND, OR, XOR, NOT) into a destination key');
    },
    write: true,
    keyTypes: ['string'],
    args: [
      arg('operation', 'enum', () => l10n.t('Operation'), { values: ['AND', 'OR', 'XOR', 'NOT'] }),
      arg('destination', 'key', () => l10n.t('Destination key')),
      arg('keys', 'keys', () => l10n.t('Source keys')),
    ],
    check: (a) =>
      a.str('operation') === 'NOT' && a.bufs('keys').length !== 1 ? l10n.t('BITOP NOT takes exactly one source key.') : undefined,
    argv: (a) => [a.str('operation'), a.buf('destination'), ...a.bufs('keys')],
    result: 'integer',
  },
  counterOp('incr', 'INCR', 'Add 1 to'),
  counterByOp('incrby', 'INCRBY', 'Add', 'increment', () => l10n.t('Increment')),
  counterOp('decr', 'DECR', 'Subtract 1 from'),
  counterByOp('decrby', 'DECRBY', 'Subtract', 'decrement', () => l10n.t('Decrement')),
  {
    name: 'incrbyfloat',
    family: 'string',
    command: 'INCRBYFLOAT',
    get summary(): string {
      return l10n.t('Add a decimal number');
    },
    write: true,
    keyTypes: ['string'],
    args: [key, arg('increment', 'float', () => l10n.t('Increment'))],
    argv: (a) => [a.buf('key'), a.str('increment')],
    result: 'float',
  },
  {
    name: 'append',
    family: 'string',
    command: 'APPEND',
    get summary(): string {
      return l10n.t('Append to a string; returns the new length in bytes');
    },
    write: true,
    keyTypes: ['string'],
    args: [key, value],
    argv: (a) => [a.buf('key'), a.buf('value')],
    result: 'integer',
  },
]);

/** How a compare-and-set save of a string ended. */
export type SaveOutcome =
  | { outcome: 'saved' }
  /** The server holds other bytes than expected (or a value where none was expected): nothing was written. */
  | { outcome: 'conflict'; current: Buffer }
  /** The key holds another type: nothing was written. */
  | { outcome: 'wrongType'; type: string }
  /** The key was deleted since it was read: nothing was written. */
  | { outcome: 'gone' };

export interface SaveOptions {
  /** Write whatever the server holds now (the user chose Overwrite). */
  force?: boolean;
}

/**
 * Saves a string with a compare-and-set: WATCH, read, compare with
 * `expected` (undefined: the key must be absent), then MULTI / SET KEEPTTL /
 * EXEC on a connection of its own, so a value changed meanwhile is never
 * overwritten silently. Refused on a read-only profile.
 */
export async function saveStringCas(
  session: RedisSession,
  key: Buffer,
  expected: Buffer | undefined,
  next: Buffer,
  options: SaveOptions = {},
): Promise<SaveOutcome> {
  session.assertWritable(l10n.t('saving the value of "{0}"', displayBytes(key, 80)));
  const conn = await session.dedicated('save');
  try {
    await conn.watch(key);
    const type = String(await conn.type(key));
    if (!options.force) {
      if (type !== 'none' && type !== 'string') {
        await conn.unwatch();
        return { outcome: 'wrongType', type };
      }
      const current = type === 'none' ? null : await conn.getBuffer(key);
      const unchanged = expected === undefined ? current === null : current !== null && current.equals(expected);
      if (!unchanged) {
        await conn.unwatch();
        return current === null ? { outcome: 'gone' } : { outcome: 'conflict', current };
      }
    }
    const exec = await conn.multi().set(key, next, 'KEEPTTL').exec();
    if (exec === null) {
      const current = await conn.getBuffer(key).catch(() => null);
      return current === null ? { outcome: 'gone' } : { outcome: 'conflict', current };
    }
    const failed = exec.find(([err]) => err);
    if (failed?.[0])
      throw new BrokerError(
        l10n.t('Saving "{0}" on profile "{1}" failed: {2}.', displayBytes(key, 80), session.profile.name, errorMessage(failed[0])),
      );
    return { outcome: 'saved' };
  } finally {
    conn.disconnect();
  }
}
