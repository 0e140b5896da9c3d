import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { InputError, ReadOnlyError } from '../../src/core/errors';
import { RedisSession } from '../../src/core/redis/session';
import { runOperation, runOperationUnchecked } from '../../src/core/redis/operations';
import { localProfile, useRedisDb } from './helpers/redis';

const DB = 10;
const ro = new RedisSession(localProfile(DB, { name: 'prod', readOnly: true }));
after(() => ro.close());
const sorted = (v: unknown): string[] => [...(v as string[])].sort();

describe('set operations (real Redis, db 10)', () => {
  let seed: Redis;
  let session: RedisSession;
  useRedisDb(
    DB,
    (p) => Promise.resolve(new RedisSession(p)),
    (s, c) => ([seed, session] = [s, c]),
  );

  it('SADD / SREM / SISMEMBER / SMISMEMBER / SCARD / SMOVE', async () => {
    assert.equal(await runOperation(session, 'sadd', { key: 'a', members: ['1', '2', '3', '2'] }), 3);
    assert.equal(await runOperation(session, 'srem', { key: 'a', members: ['3', '9'] }), 1);
    assert.equal(await runOperation(session, 'sismember', { key: 'a', member: '1' }), true);
    assert.deepEqual(await runOperation(session, 'smismember', { key: 'a', members: ['1', '9'] }), [true, false]);
    assert.equal(await runOperation(session, 'scard', { key: 'a' }), 2);
    assert.equal(await runOperation(session, 'smove', { source: 'a', destination: 'b', member: '2' }), true);
    assert.equal(await runOperation(session, 'smove', { source: 'a', destination: 'b', member: '2' }), false);
    assert.deepEqual(await seed.smembers('b'), ['2']);
  });

  it('SPOP / SRANDMEMBER with and without a count (negative may repeat)', async () => {
    await seed.sadd('a', 'x', 'y', 'z');
    assert.equal(((await runOperation(session, 'srandmember', { key: 'a', count: -6 })) as string[]).length, 6);
    assert.equal(((await runOperation(session, 'srandmember', { key: 'a', count: 6 })) as string[]).length, 3);
    assert.ok(['x', 'y', 'z'].includes((await runOperation(session, 'srandmember', { key: 'a' })) as string));
    assert.equal(((await runOperation(session, 'spop', { key: 'a', count: 2 })) as string[]).length, 2);
    assert.equal(await seed.scard('a'), 1);
    assert.equal(typeof (await runOperation(session, 'spop', { key: 'a' })), 'string');
    assert.equal(await runOperation(session, 'spop', { key: 'a' }), null);
  });

  it('SINTER / SUNION / SDIFF and their STORE forms', async () => {
    await seed.sadd('a', '1', '2', '3');
    await seed.sadd('b', '2', '3', '4');
    assert.deepEqual(sorted(await runOperation(session, 'sinter', { keys: ['a', 'b'] })), ['2', '3']);
    assert.deepEqual(sorted(await runOperation(session, 'sunion', { keys: ['a', 'b'] })), ['1', '2', '3', '4']);
    assert.deepEqual(sorted(await runOperation(session, 'sdiff', { keys: ['a', 'b'] })), ['1']);
    assert.equal(await runOperation(session, 'sinterstore', { destination: 'i', keys: ['a', 'b'] }), 2);
    assert.equal(await runOperation(session, 'sunionstore', { destination: 'u', keys: ['a', 'b'] }), 4);
    assert.equal(await runOperation(session, 'sdiffstore', { destination: 'd', keys: ['b', 'a'] }), 1);
    assert.deepEqual(await seed.smembers('d'), ['4']);
  });

  it('SUNION of sets too large to return asks for SUNIONSTORE', async () => {
    await seed.sadd('big1', ...Array.from({ length: 6000 }, (_, i) => `a${i}`));
    await seed.sadd('big2', ...Array.from({ length: 6000 }, (_, i) => `b${i}`));
    await assert.rejects(
      runOperation(session, 'sunion', { keys: ['big1', 'big2'] }),
      (e: Error) => e instanceof InputError && /SUNIONSTORE/.test(e.message),
    );
    assert.equal(((await runOperation(session, 'sinter', { keys: ['big1', 'big2'] })) as string[]).length, 0);
  });

  it('SMEMBERS comes in pages through SSCAN', async () => {
    await seed.sadd('m', ...Array.from({ length: 300 }, (_, i) => `m${i}`));
    const seen = new Set<string>();
    let cursor: string = '0';
    for (;;) {
      const page = (await runOperation(session, 'smembers', { key: 'm', cursor, limit: 100, count: 50 })) as {
        items: string[];
        cursor: string;
        complete: boolean;
      };
      page.items.forEach((m) => seen.add(m));
      if (page.complete) break;
      cursor = page.cursor;
    }
    assert.equal(seen.size, 300);
  });

  it('a read-only profile refuses every set write', async () => {
    await seed.sadd('a', '1');
    for (const [name, args] of [
      ['sadd', { key: 'a', members: ['2'] }],
      ['srem', { key: 'a', members: ['1'] }],
      ['smove', { source: 'a', destination: 'b', member: '1' }],
      ['spop', { key: 'a' }],
      ['sinterstore', { destination: 'x', keys: ['a'] }],
      ['sunionstore', { destination: 'x', keys: ['a'] }],
      ['sdiffstore', { destination: 'x', keys: ['a'] }],
    ] as const) {
      await assert.rejects(runOperationUnchecked(ro, name, args), ReadOnlyError, name);
    }
    assert.deepEqual(await seed.smembers('a'), ['1']);
    assert.equal(await seed.dbsize(), 1);
  });
});

describe('sorted-set operations (real Redis, db 10)', () => {
  let seed: Redis;
  let session: RedisSession;
  useRedisDb(
    DB,
    (p) => Promise.resolve(new RedisSession(p)),
    (s, c) => ([seed, session] = [s, c]),
  );

  it('ZADD NX only adds, XX only updates, GT / LT only move the score one way, CH counts changes', async () => {
    assert.equal(
      await runOperation(session, 'zadd', {
        key: 'z',
        members: [
          { member: 'a', score: 1 },
          { member: 'b', score: 2 },
        ],
      }),
      2,
    );
    assert.equal(
      await runOperation(session, 'zadd', {
        key: 'z',
        members: [
          { member: 'a', score: 10 },
          { member: 'c', score: 3 },
        ],
        condition: 'NX',
      }),
      1,
    );
    assert.equal(await seed.zscore('z', 'a'), '1');
    assert.equal(
      await runOperation(session, 'zadd', {
        key: 'z',
        members: [
          { member: 'a', score: 5 },
          { member: 'd', score: 4 },
        ],
        condition: 'XX',
        ch: true,
      }),
      1,
    );
    assert.equal(await seed.zscore('z', 'd'), null);
    assert.equal(await runOperation(session, 'zadd', { key: 'z', members: [{ member: 'a', score: 2 }], comparison: 'GT', ch: true }), 0);
    assert.equal(await runOperation(session, 'zadd', { key: 'z', members: [{ member: 'a', score: 2 }], comparison: 'LT', ch: true }), 1);
    assert.equal(await seed.zscore('z', 'a'), '2');
    await assert.rejects(
      runOperation(session, 'zadd', { key: 'z', members: [{ member: 'a', score: 1 }], condition: 'NX', comparison: 'GT' }),
      /cannot combine NX with GT or LT/,
    );
  });

  it('ZADD INCR returns the new score, or null when a condition stops it', async () => {
    assert.equal(await runOperation(session, 'zadd', { key: 'z', members: [{ member: 'a', score: 1.5 }], incr: true }), 1.5);
    assert.equal(
      await runOperation(session, 'zadd', { key: 'z', members: [{ member: 'a', score: 1 }], incr: true, condition: 'NX' }),
      null,
    );
    assert.equal(await runOperation(session, 'zincrby', { key: 'z', increment: '-0.5', member: 'a' }), 1);
    await assert.rejects(
      runOperation(session, 'zadd', {
        key: 'z',
        members: [
          { member: 'a', score: 1 },
          { member: 'b', score: 1 },
        ],
        incr: true,
      }),
      /exactly one member/,
    );
  });

  it('scores are numbers, or "inf" / "-inf"', async () => {
    await runOperation(session, 'zadd', {
      key: 'z',
      members: [
        { member: 'lo', score: '-inf' },
        { member: 'mid', score: 0.25 },
        { member: 'hi', score: 'inf' },
      ],
    });
    assert.equal(await runOperation(session, 'zscore', { key: 'z', member: 'hi' }), 'inf');
    assert.equal(await runOperation(session, 'zscore', { key: 'z', member: 'lo' }), '-inf');
    assert.equal(await runOperation(session, 'zscore', { key: 'z', member: 'none' }), null);
    assert.deepEqual(await runOperation(session, 'zrange', { key: 'z', start: 0, stop: -1, withScores: true }), [
      { member: 'lo', score: '-inf' },
      { member: 'mid', score: 0.25 },
      { member: 'hi', score: 'inf' },
    ]);
    assert.equal(await runOperation(session, 'zcount', { key: 'z', min: '(-inf', max: '+inf' }), 2);
    await assert.rejects(runOperationUnchecked(session, 'zadd', { key: 'z', members: [{ member: 'x', score: 'lots' }] }), /not a number/);
  });

  it('ZCARD / ZRANK / ZREVRANK / ZREM', async () => {
    await seed.zadd('z', 1, 'a', 2, 'b', 3, 'c');
    assert.equal(await runOperation(session, 'zcard', { key: 'z' }), 3);
    assert.equal(await runOperation(session, 'zrank', { key: 'z', member: 'c' }), 2);
    assert.equal(await runOperation(session, 'zrevrank', { key: 'z', member: 'c' }), 0);
    assert.equal(await runOperation(session, 'zrank', { key: 'z', member: 'none' }), null);
    assert.equal(await runOperation(session, 'zrem', { key: 'z', members: ['a', 'none'] }), 1);
  });

  it('ZRANGE by rank, by score (exclusive bounds, REV, LIMIT) and by lex', async () => {
    await seed.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e');
    assert.deepEqual(await runOperation(session, 'zrange', { key: 'z', start: 1, stop: 2 }), ['b', 'c']);
    assert.deepEqual(await runOperation(session, 'zrange', { key: 'z', start: 0, stop: 1, rev: true }), ['e', 'd']);
    assert.deepEqual(await runOperation(session, 'zrange', { key: 'z', start: '(1', stop: 3, by: 'SCORE' }), ['b', 'c']);
    assert.deepEqual(
      await runOperation(session, 'zrange', { key: 'z', start: '+inf', stop: '(2', by: 'SCORE', rev: true, offset: 1, count: 2 }),
      ['d', 'c'],
    );
    assert.deepEqual(await runOperation(session, 'zrange', { key: 'z', start: 2, stop: 3, by: 'SCORE', withScores: true }), [
      { member: 'b', score: 2 },
      { member: 'c', score: 3 },
    ]);
    await seed.zadd('lex', 0, 'apple', 0, 'banana', 0, 'cherry', 0, 'date');
    assert.deepEqual(await runOperation(session, 'zrange', { key: 'lex', start: '[b', stop: '(d', by: 'LEX' }), ['banana', 'cherry']);
    assert.deepEqual(await runOperation(session, 'zrange', { key: 'lex', start: '-', stop: '[banana', by: 'LEX' }), ['apple', 'banana']);
    assert.deepEqual(await runOperation(session, 'zrange', { key: 'lex', start: '(banana', stop: '+', by: 'LEX' }), ['cherry', 'date']);
    assert.deepEqual(
      await runOperation(session, 'zrange', { key: 'lex', start: '+', stop: '[c', by: 'LEX', rev: true, offset: 0, count: 1 }),
      ['date'],
    );
  });

  it('refuses ZRANGE bounds that do not fit the range kind', async () => {
    await assert.rejects(runOperation(session, 'zrange', { key: 'z', start: 'b', stop: 'c', by: 'LEX' }), /start it|start with \[ or \(/);
    await assert.rejects(runOperation(session, 'zrange', { key: 'z', start: '[a', stop: 2, by: 'SCORE' }), /score bounds/);
    await assert.rejects(runOperation(session, 'zrange', { key: 'z', start: '1.5', stop: 2 }), /whole numbers/);
    await assert.rejects(
      runOperation(session, 'zrange', { key: 'z', start: 0, stop: 1, offset: 0, count: 1 }),
      /LIMIT only by score or by lex/,
    );
    await assert.rejects(
      runOperation(session, 'zrange', { key: 'z', start: '-', stop: '+', by: 'LEX', withScores: true }),
      /cannot return scores/,
    );
    await assert.rejects(
      runOperation(session, 'zrange', { key: 'z', start: 0, stop: 1, by: 'SCORE', offset: 0 }),
      /both an offset and a count/,
    );
  });

  it('ZREMRANGEBYRANK / BYSCORE / BYLEX', async () => {
    await seed.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd');
    assert.equal(await runOperation(session, 'zremrangebyrank', { key: 'z', start: 0, stop: 0 }), 1);
    assert.equal(await runOperation(session, 'zremrangebyscore', { key: 'z', min: '(2', max: 3 }), 1);
    assert.deepEqual(await seed.zrange('z', 0, -1), ['b', 'd']);
    await seed.zadd('lex', 0, 'a', 0, 'b', 0, 'c', 0, 'd');
    assert.equal(await runOperation(session, 'zremrangebylex', { key: 'lex', min: '(a', max: '[c' }), 2);
    assert.deepEqual(await seed.zrange('lex', 0, -1), ['a', 'd']);
    await assert.rejects(runOperationUnchecked(session, 'zremrangebylex', { key: 'lex', min: 'a', max: '+' }), /not a lex bound/);
  });

  it('ZINTERSTORE / ZUNIONSTORE with WEIGHTS and AGGREGATE SUM / MIN / MAX, sets counting as score 1', async () => {
    await seed.zadd('z1', 1, 'a', 2, 'b');
    await seed.zadd('z2', 10, 'b', 20, 'c');
    await seed.sadd('plain', 'b');
    const scores = async (key: string): Promise<Record<string, string>> => {
      const flat = await seed.zrange(key, 0, -1, 'WITHSCORES');
      const out: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) out[flat[i]] = flat[i + 1];
      return out;
    };
    assert.equal(await runOperation(session, 'zunionstore', { destination: 'u', keys: ['z1', 'z2'] }), 3);
    assert.deepEqual(await scores('u'), { a: '1', b: '12', c: '20' });
    assert.equal(
      await runOperation(session, 'zunionstore', { destination: 'u', keys: ['z1', 'z2'], weights: [2, 0.5], aggregate: 'MAX' }),
      3,
    );
    assert.deepEqual(await scores('u'), { a: '2', b: '5', c: '10' });
    assert.equal(await runOperation(session, 'zinterstore', { destination: 'i', keys: ['z1', 'z2'], aggregate: 'MIN' }), 1);
    assert.deepEqual(await scores('i'), { b: '2' });
    assert.equal(
      await runOperation(session, 'zinterstore', { destination: 'i', keys: ['z1', 'z2'], aggregate: 'SUM', weights: [1, 2] }),
      1,
    );
    assert.deepEqual(await scores('i'), { b: '22' });
    assert.equal(await runOperation(session, 'zinterstore', { destination: 'i', keys: ['z2', 'plain'] }), 1);
    assert.deepEqual(await scores('i'), { b: '11' });
    await assert.rejects(
      runOperation(session, 'zunionstore', { destination: 'u', keys: ['z1', 'z2'], weights: [1] }),
      /one weight per source key/,
    );
    await seed.set('str', 'x');
    await assert.rejects(runOperation(session, 'zunionstore', { destination: 'u', keys: ['z1', 'str'] }), {
      message: 'The key "str" holds a string, not a sorted set or a set.',
    });
  });

  it('a read-only profile refuses every sorted-set write', async () => {
    await seed.zadd('z', 1, 'a');
    for (const [name, args] of [
      ['zadd', { key: 'z', members: [{ member: 'b', score: 1 }] }],
      ['zincrby', { key: 'z', increment: 1, member: 'a' }],
      ['zrem', { key: 'z', members: ['a'] }],
      ['zremrangebyrank', { key: 'z', start: 0, stop: -1 }],
      ['zremrangebyscore', { key: 'z', min: '-inf', max: '+inf' }],
      ['zremrangebylex', { key: 'z', min: '-', max: '+' }],
      ['zinterstore', { destination: 'x', keys: ['z'] }],
      ['zunionstore', { destination: 'x', keys: ['z'] }],
    ] as const) {
      await assert.rejects(runOperationUnchecked(ro, name, args), ReadOnlyError, name);
    }
    assert.deepEqual(await seed.zrange('z', 0, -1, 'WITHSCORES'), ['a', '1']);
    assert.equal(await seed.dbsize(), 1);
  });
});
