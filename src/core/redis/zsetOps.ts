/**
 * Sorted-set operations: ZADD with NX / XX / GT / LT / CH / INCR, ranges by
 * rank, score or lex (REV, LIMIT, WITHSCORES), removals by range, and
 * ZINTERSTORE / ZUNIONSTORE with WEIGHTS and AGGREGATE. Scores come back as
 * numbers, or "inf" / "-inf".
 */
import * as l10n from '@vscode/l10n';
import type { RedisClient } from './redisClient';
import { InputError } from '../errors';
import type { ArgSpec, Args } from './opsSpec';
import { arg, convertResult, defineOps, MAX_RESULT_ITEMS, opt } from './opsSpec';
import type { JsonValue } from './replyJson';

const key = arg('key', 'key', () => l10n.t('Key'));
const member = arg('member', 'bytes', () => l10n.t('Member'));
const ZSET = ['zset'] as const;

const SCORE_BOUND = /^\(?([-+]?inf|[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)$/i;
const INTEGER = /^-?\d+$/;

function boundText(a: Args, name: string): string {
  const v = a.raw(name);
  return typeof v === 'string' ? v : v === undefined ? '' : v.toString('latin1');
}

function isLexBound(b: Buffer | string | undefined): boolean {
  const buf = typeof b === 'string' ? Buffer.from(b) : b;
  if (!buf || buf.length === 0) return false;
  return (buf.length === 1 && (buf[0] === 0x2d || buf[0] === 0x2b)) || buf[0] === 0x5b || buf[0] === 0x28;
}

function checkRange(a: Args): string | undefined {
  const by = a.text('by') ?? 'RANK';
  for (const name of ['start', 'stop']) {
    const text = boundText(a, name);
    if (by === 'RANK' && !INTEGER.test(text)) return l10n.t('ZRANGE by rank needs whole numbers: the {0} "{1}" is not one.', name, text);
    if (by === 'SCORE' && !SCORE_BOUND.test(text))
      return l10n.t(
        'ZRANGE by score needs score bounds (a number, (number for exclusive, -inf or +inf): the {0} "{1}" is not one.',
        name,
        text,
      );
    if (by === 'LEX' && !isLexBound(a.raw(name)))
      return l10n.t('ZRANGE by lex needs bounds that start with [ or (, or are - or +: the {0} "{1}" is not one.', name, text);
  }
  if (a.has('offset') !== a.has('count')) return l10n.t('ZRANGE needs both an offset and a count for LIMIT, or neither.');
  if (a.has('offset') && by === 'RANK') return l10n.t('ZRANGE takes LIMIT only by score or by lex.');
  if (a.flag('withScores') && by === 'LEX') return l10n.t('ZRANGE by lex cannot return scores: turn WITHSCORES off.');
  return undefined;
}

async function zrange(client: RedisClient, a: Args): Promise<JsonValue> {
  const k = a.buf('key');
  const by = a.text('by') ?? 'RANK';
  const bound = (name: string): Buffer | string => {
    const v = a.raw(name);
    return v === undefined ? '' : v;
  };
  const argv: (string | Buffer)[] = [k, bound('start'), bound('stop')];
  if (by !== 'RANK') argv.push(`BY${by}`);
  if (a.flag('rev')) argv.push('REV');
  let implicitLimit = false;
  if (a.has('offset')) {
    if (a.num('count') > MAX_RESULT_ITEMS || a.num('count') < 0)
      throw new InputError(l10n.t('ZRANGE returns at most {0} members at a time: lower the count.', MAX_RESULT_ITEMS));
    argv.push('LIMIT', a.str('offset'), a.str('count'));
  } else if (by !== 'RANK') {
    argv.push('LIMIT', '0', String(MAX_RESULT_ITEMS + 1));
    implicitLimit = true;
  } else {
    const card = Number(await client.zcard(k));
    const norm = (i: number): number => (i < 0 ? Math.max(card + i, 0) : i);
    const n = Math.min(norm(a.num('stop')), card - 1) - norm(a.num('start')) + 1;
    if (n > MAX_RESULT_ITEMS)
      throw new InputError(
        l10n.t('ZRANGE would return {0} members: ask for at most {1}, or scan the sorted set page by page.', n, MAX_RESULT_ITEMS),
      );
  }
  if (a.flag('withScores')) argv.push('WITHSCORES');
  const raw = (await client.callBuffer('ZRANGE', ...argv)) as Buffer[];
  const members = a.flag('withScores') ? raw.length / 2 : raw.length;
  if (implicitLimit && members > MAX_RESULT_ITEMS)
    throw new InputError(
      l10n.t('More than {0} members are in that range: give a LIMIT (offset and count) or narrow the range.', MAX_RESULT_ITEMS),
    );
  return convertResult(a.flag('withScores') ? 'scored' : 'bytesList', raw);
}

function storeArgs(a: Args): (string | Buffer)[] {
  const ks = a.bufs('keys');
  return [
    a.buf('destination'),
    String(ks.length),
    ...ks,
    ...(a.has('weights') ? ['WEIGHTS', ...a.texts('weights')] : []),
    ...(a.has('aggregate') ? ['AGGREGATE', a.str('aggregate')] : []),
  ];
}

function checkStore(a: Args): string | undefined {
  if (a.has('weights') && a.texts('weights').length !== a.bufs('keys').length) {
    return l10n.t('WEIGHTS needs one weight per source key: {0} keys, {1} weights.', a.bufs('keys').length, a.texts('weights').length);
  }
  return undefined;
}

const storeSpecArgs = [
  arg('destination', 'key', () => l10n.t('Destination key')),
  arg('keys', 'keys', () => l10n.t('Source keys (sorted sets or sets)')),
  opt('weights', 'floats', () => l10n.t('Weights')),
  opt('aggregate', 'enum', () => l10n.t('Aggregate'), { values: ['SUM', 'MIN', 'MAX'] }),
] as const;

/** ZRANK / ZREVRANK: one spec, the order named. */
function rankOp<const N extends string, const C extends string>(name: N, command: C, first: 'lowest' | 'highest') {
  return {
    name,
    family: 'zset',
    command,
    get summary(): string {
      return first === 'lowest' ? l10n.t('A member’s rank, lowest score first') : l10n.t('A member’s rank, highest score first');
    },
    write: false,
    keyTypes: ZSET,
    args: [key, member],
    argv: (a: Args) => [a.buf('key'), a.buf('member')],
    result: 'integer',
  } as const;
}

/** ZREMRANGEBYSCORE / ZREMRANGEBYLEX: one spec, the bounds given. */
function removeRangeOp<const N extends string, const C extends string, const A extends ArgSpec, const B extends ArgSpec>(
  name: N,
  command: C,
  what: () => string,
  min: A,
  max: B,
) {
  return {
    name,
    family: 'zset',
    command,
    get summary(): string {
      return l10n.t('Remove members by {0}', what());
    },
    write: true,
    keyTypes: ZSET,
    args: [key, min, max],
    argv: (a: Args) => [a.buf('key'), a.raw('min') ?? '', a.raw('max') ?? ''],
    result: 'integer',
  } as const;
}

/** ZINTERSTORE / ZUNIONSTORE: one spec, the combination named. */
function storeOp<const N extends string, const C extends string>(name: N, command: C, what: 'intersection' | 'union') {
  return {
    name,
    family: 'zset',
    command,
    get summary(): string {
      return what === 'intersection'
        ? l10n.t('Store the intersection with weights and SUM / MIN / MAX')
        : l10n.t('Store the union with weights and SUM / MIN / MAX');
    },
    write: true,
    keyTypes: ['zset', 'set'],
    args: storeSpecArgs,
    check: checkStore,
    argv: storeArgs,
    result: 'integer',
  } as const;
}

export const ZSET_OPS = defineOps([
  {
    name: 'zadd',
    family: 'zset',
    command: 'ZADD',
    get summary(): string {
      return l10n.t('Add members with scores (NX / XX, GT / LT, CH, INCR)');
    },
    write: true,
    keyTypes: ZSET,
    args: [
      key,
      arg('members', 'scoreMembers', () => l10n.t('Members and scores')),
      opt('condition', 'enum', () => l10n.t('Condition'), {
        values: ['NX', 'XX'],
        help: () => l10n.t('NX only new members, XX only existing ones'),
      }),
      opt('comparison', 'enum', () => l10n.t('Comparison'), {
        values: ['GT', 'LT'],
        help: () => l10n.t('update only when the new score is greater / less'),
      }),
      opt('ch', 'flag', () => l10n.t('Count changed members')),
      opt('incr', 'flag', () => l10n.t('Increment (one member)')),
    ],
    check: (a) => {
      if (a.text('condition') === 'NX' && a.has('comparison'))
        return l10n.t('ZADD cannot combine NX with GT or LT: NX only adds, GT / LT only update.');
      if (a.flag('incr') && a.scored('members').length !== 1) return l10n.t('ZADD with INCR takes exactly one member.');
      return undefined;
    },
    argv: (a) => [
      a.buf('key'),
      ...(a.has('condition') ? [a.str('condition')] : []),
      ...(a.has('comparison') ? [a.str('comparison')] : []),
      ...(a.flag('ch') ? ['CH'] : []),
      ...(a.flag('incr') ? ['INCR'] : []),
      ...a.scored('members').flat(),
    ],
    result: (raw, a) => convertResult(a.flag('incr') ? 'score' : 'integer', raw),
  },
  {
    name: 'zincrby',
    family: 'zset',
    command: 'ZINCRBY',
    get summary(): string {
      return l10n.t('Add to a member’s score; returns the new score');
    },
    write: true,
    keyTypes: ZSET,
    args: [key, arg('increment', 'float', () => l10n.t('Increment')), member],
    argv: (a) => [a.buf('key'), a.str('increment'), a.buf('member')],
    result: 'score',
  },
  {
    name: 'zcard',
    family: 'zset',
    command: 'ZCARD',
    get summary(): string {
      return l10n.t('Number of members');
    },
    write: false,
    keyTypes: ZSET,
    args: [key],
    argv: (a) => [a.buf('key')],
    result: 'integer',
  },
  {
    name: 'zcount',
    family: 'zset',
    command: 'ZCOUNT',
    get summary(): string {
      return l10n.t('Members with a score between min and max');
    },
    write: false,
    keyTypes: ZSET,
    args: [key, arg('min', 'scoreBound', () => l10n.t('Min score')), arg('max', 'scoreBound', () => l10n.t('Max score'))],
    argv: (a) => [a.buf('key'), a.str('min'), a.str('max')],
    result: 'integer',
  },
  {
    name: 'zscore',
    family: 'zset',
    command: 'ZSCORE',
    get summary(): string {
      return l10n.t('A member’s score');
    },
    write: false,
    keyTypes: ZSET,
    args: [key, member],
    argv: (a) => [a.buf('key'), a.buf('member')],
    result: 'score',
  },
  rankOp('zrank', 'ZRANK', 'lowest'),
  rankOp('zrevrank', 'ZREVRANK', 'highest'),
  {
    name: 'zrange',
    family: 'zset',
    command: 'ZRANGE',
    get summary(): string {
      return l10n.t('Members by rank, score or lex, optionally reversed, limited and with scores');
    },
    write: false,
    keyTypes: ZSET,
    args: [
      key,
      arg('start', 'bound', () => l10n.t('Start'), { help: () => l10n.t('rank: 0, -1…; score: 1, (1, -inf; lex: [a, (a, -') }),
      arg('stop', 'bound', () => l10n.t({ message: 'Stop', comment: ['the end of a range'] }), {
        help: () => l10n.t('with REV by score or lex, the higher bound comes first'),
      }),
      opt('by', 'enum', () => l10n.t('By'), { values: ['RANK', 'SCORE', 'LEX'] }),
      opt('rev', 'flag', () => l10n.t('Reverse')),
      opt('offset', 'integer', () => l10n.t('LIMIT offset'), { min: 0 }),
      opt('count', 'integer', () => l10n.t('LIMIT count')),
      opt('withScores', 'flag', () => l10n.t('With scores')),
    ],
    check: checkRange,
    run: zrange,
  },
  {
    name: 'zrem',
    family: 'zset',
    command: 'ZREM',
    get summary(): string {
      return l10n.t('Remove members; returns how many existed');
    },
    write: true,
    keyTypes: ZSET,
    args: [key, arg('members', 'bytesList', () => l10n.t('Members'))],
    argv: (a) => [a.buf('key'), ...a.bufs('members')],
    result: 'integer',
  },
  {
    name: 'zremrangebyrank',
    family: 'zset',
    command: 'ZREMRANGEBYRANK',
    get summary(): string {
      return l10n.t('Remove members by rank range');
    },
    write: true,
    keyTypes: ZSET,
    args: [key, arg('start', 'integer', () => l10n.t('Start rank')), arg('stop', 'integer', () => l10n.t('Stop rank'))],
    argv: (a) => [a.buf('key'), a.str('start'), a.str('stop')],
    result: 'integer',
  },
  removeRangeOp(
    'zremrangebyscore',
    'ZREMRANGEBYSCORE',
    () => l10n.t('score range'),
    arg('min', 'scoreBound', () => l10n.t('Min score')),
    arg('max', 'scoreBound', () => l10n.t('Max score')),
  ),
  removeRangeOp(
    'zremrangebylex',
    'ZREMRANGEBYLEX',
    () => l10n.t('lex range (all members with the same score)'),
    arg('min', 'lexBound', () => l10n.t('Min')),
    arg('max', 'lexBound', () => l10n.t('Max')),
  ),
  storeOp('zinterstore', 'ZINTERSTORE', 'intersection'),
  storeOp('zunionstore', 'ZUNIONSTORE', 'union'),
]);
