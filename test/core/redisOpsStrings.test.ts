import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { InputError, PreconditionError, ReadOnlyError } from '../../src/core/errors';
import { RedisSession } from '../../src/core/redis/session';
import { runOperation, runOperationUnchecked } from '../../src/core/redis/operations';
import { CommandError } from '../../src/core/redis/reply';
import { utf8Length } from '../../src/core/redis/stringOps';
import { localProfile, useRedisDb } from './helpers/redis';

const DB = 10;

describe('string operations (real Redis, db 10)', () => {
  let seed: Redis;
  let session: RedisSession;
  useRedisDb(
    DB,
    (p) => Promise.resolve(new RedisSession(p)),
    (s, c) => ([seed, session] = [s, c]),
  );

  it('SET NX sets only an absent key and XX only an existing one', async () => {
    assert.deepEqual(await runOperation(session, 'set', { key: 's:a', value: '1', condition: 'NX' }), { set: true });
    assert.deepEqual(await runOperation(session, 'set', { key: 's:a', value: '2', condition: 'NX' }), { set: false });
    assert.equal(await seed.get('s:a'), '1');
    assert.deepEqual(await runOperation(session, 'set', { key: 's:b', value: '1', condition: 'XX' }), { set: false });
    assert.equal(await seed.exists('s:b'), 0);
    assert.deepEqual(await runOperation(session, 'set', { key: 's:a', value: '3', condition: 'xx' }), { set: true });
    assert.equal(await seed.get('s:a'), '3');
  });

  it('SET with EX / PX sets a TTL, KEEPTTL keeps it, GET returns the previous value', async () => {
    await runOperation(session, 'set', { key: 's:t', value: 'v', expiry: 'EX', ttl: 100 });
    const ttl = await seed.ttl('s:t');
    assert.ok(ttl > 90 && ttl <= 100);
    await runOperation(session, 'set', { key: 's:p', value: 'v', expiry: 'PX', ttl: '5000' });
    assert.ok((await seed.pttl('s:p')) > 4000);
    assert.deepEqual(await runOperation(session, 'set', { key: 's:t', value: 'w', keepTtl: true, get: true }), {
      set: true,
      previous: 'v',
    });
    assert.ok((await seed.ttl('s:t')) > 90);
    assert.deepEqual(await runOperation(session, 'set', { key: 's:t', value: 'x', condition: 'NX', get: true }), {
      set: false,
      previous: 'w',
    });
    assert.deepEqual(await runOperation(session, 'set', { key: 's:new', value: 'x', condition: 'NX', get: true }), {
      set: true,
      previous: null,
    });
  });

  it('refuses SET arguments that do not fit together before sending anything', async () => {
    await assert.rejects(runOperationUnchecked(session, 'set', { key: 'k', value: 'v', expiry: 'EX' }), InputError);
    await assert.rejects(
      runOperationUnchecked(session, 'set', { key: 'k', value: 'v', expiry: 'EX', ttl: 10, keepTtl: true }),
      /cannot both/,
    );
    await assert.rejects(runOperationUnchecked(session, 'set', { key: 'k', value: 'v', condition: 'MAYBE' }), /not one of NX, XX/);
    await assert.rejects(runOperationUnchecked(session, 'set', { key: 'k', value: 'v', ttl: 0, expiry: 'EX' }), /at least 1/);
    await assert.rejects(runOperationUnchecked(session, 'set', { key: 'k', vlaue: 'v' }), /has no argument "vlaue"/);
    await assert.rejects(runOperationUnchecked(session, 'set', { key: 'k' }), /needs the value/);
    await assert.rejects(runOperationUnchecked(session, 'set', { key: { hex: 'abc' }, value: 'v' }), /not valid hex/);
    assert.equal(await seed.dbsize(), 0);
  });

  it('SETNX, SETEX, PSETEX, GETSET, GETDEL', async () => {
    assert.equal(await runOperation(session, 'setnx', { key: 's:n', value: 'a' }), true);
    assert.equal(await runOperation(session, 'setnx', { key: 's:n', value: 'b' }), false);
    assert.equal(await runOperation(session, 'setex', { key: 's:e', seconds: 50, value: 'x' }), true);
    assert.ok((await seed.ttl('s:e')) > 40);
    assert.equal(await runOperation(session, 'psetex', { key: 's:pe', milliseconds: 50_000, value: 'x' }), true);
    assert.ok((await seed.pttl('s:pe')) > 40_000);
    assert.equal(await runOperation(session, 'getset', { key: 's:n', value: 'c' }), 'a');
    assert.equal(await runOperation(session, 'getdel', { key: 's:n' }), 'c');
    assert.equal(await seed.exists('s:n'), 0);
  });

  it('MSET / MSETNX / MGET take pairs as a list or an object and give null for missing keys', async () => {
    assert.equal(
      await runOperation(session, 'mset', {
        pairs: [
          { key: 's:1', value: 'one' },
          { key: { hex: '00ff' }, value: { hex: 'fe' } },
        ],
      }),
      true,
    );
    assert.equal(await runOperation(session, 'msetnx', { pairs: { 's:1': 'x', 's:3': 'three' } }), false);
    assert.equal(await seed.exists('s:3'), 0);
    assert.deepEqual(await runOperation(session, 'mget', { keys: ['s:1', { hex: '00ff' }, 's:none'] }), ['one', { hex: 'fe' }, null]);
  });

  it('GETRANGE counts bytes: a CJK character is 3 bytes, and a cut one comes back as hex', async () => {
    await seed.set('s:cjk', '中文abc');
    assert.equal(utf8Length('中文abc'), 9);
    assert.equal(await runOperation(session, 'strlen', { key: 's:cjk' }), 9);
    assert.deepEqual(await runOperation(session, 'getrange', { key: 's:cjk', start: 0, end: 2 }), { value: '中', bytes: 3 });
    assert.deepEqual(await runOperation(session, 'getrange', { key: 's:cjk', start: 0, end: 1 }), { value: { hex: 'e4b8' }, bytes: 2 });
    assert.deepEqual(await runOperation(session, 'getrange', { key: 's:cjk', start: -3, end: -1 }), { value: 'abc', bytes: 3 });
    assert.deepEqual(await runOperation(session, 'setrange', { key: 's:cjk', offset: 3, value: '字' }), { length: 9, valueBytes: 3 });
    assert.equal(await seed.get('s:cjk'), '中字abc');
    assert.deepEqual(await runOperation(session, 'setrange', { key: 's:pad', offset: 2, value: 'x' }), { length: 3, valueBytes: 1 });
    assert.equal(await runOperation(session, 'get', { key: 's:pad' }), '\u0000\u0000x');
  });

  it('SETBIT / GETBIT / BITCOUNT with byte and bit ranges', async () => {
    assert.equal(await runOperation(session, 'setbit', { key: 's:bits', offset: 7, bit: 1 }), 0);
    assert.equal(await runOperation(session, 'setbit', { key: 's:bits', offset: 7, bit: 1 }), 1);
    await runOperation(session, 'setbit', { key: 's:bits', offset: 8, bit: 1 });
    assert.equal(await runOperation(session, 'getbit', { key: 's:bits', offset: 7 }), 1);
    assert.equal(await runOperation(session, 'getbit', { key: 's:bits', offset: 100 }), 0);
    assert.equal(await runOperation(session, 'bitcount', { key: 's:bits' }), 2);
    assert.equal(await runOperation(session, 'bitcount', { key: 's:bits', start: 1, end: 1 }), 1);
    assert.equal(await runOperation(session, 'bitcount', { key: 's:bits', start: 0, end: 7, unit: 'BIT' }), 1);
    await assert.rejects(runOperationUnchecked(session, 'setbit', { key: 's:bits', offset: 1, bit: 2 }), /at most 1/);
    await assert.rejects(runOperationUnchecked(session, 'bitcount', { key: 's:bits', start: 1 }), /both a start and an end/);
  });

  it('BITOP AND / OR / XOR / NOT combine bytes, and NOT takes exactly one key', async () => {
    await seed.set(Buffer.from('s:x'), Buffer.from([0b1100_1010]));
    await seed.set(Buffer.from('s:y'), Buffer.from([0b1010_0110]));
    const expected: Record<string, number> = { AND: 0b1000_0010, OR: 0b1110_1110, XOR: 0b0110_1100 };
    for (const [op, byte] of Object.entries(expected)) {
      assert.equal(await runOperationUnchecked(session, 'bitop', { operation: op, destination: 's:d', keys: ['s:x', 's:y'] }), 1);
      assert.deepEqual(await seed.getBuffer('s:d'), Buffer.from([byte]), op);
    }
    assert.equal(await runOperation(session, 'bitop', { operation: 'NOT', destination: 's:d', keys: ['s:x'] }), 1);
    assert.deepEqual(await seed.getBuffer('s:d'), Buffer.from([0b0011_0101]));
    assert.deepEqual(await runOperation(session, 'get', { key: 's:d' }), '5');
    await assert.rejects(
      runOperation(session, 'bitop', { operation: 'NOT', destination: 's:d', keys: ['s:x', 's:y'] }),
      /exactly one source key/,
    );
  });

  it('INCR past 2^53 returns the exact value as a decimal string', async () => {
    await seed.set('s:big', '9007199254740991');
    assert.equal(await runOperation(session, 'incr', { key: 's:big' }), '9007199254740992');
    assert.equal(await runOperation(session, 'incr', { key: 's:big' }), '9007199254740993');
    assert.equal(await runOperation(session, 'incrby', { key: 's:big', increment: '1000000000000000000' }), '1009007199254740993');
    assert.equal(await runOperation(session, 'decrby', { key: 's:big', decrement: '1009007199254740000' }), 993);
    assert.equal(await runOperation(session, 'decr', { key: 's:big' }), 992);
    assert.equal(await runOperation(session, 'incr', { key: 's:fresh' }), 1);
    await seed.set('s:max', '9223372036854775806');
    assert.equal(await runOperation(session, 'incr', { key: 's:max' }), '9223372036854775807');
    await assert.rejects(
      runOperation(session, 'incr', { key: 's:max' }),
      (err: Error) => err instanceof CommandError && /INCR.*overflow/.test(err.message),
    );
    await assert.rejects(
      runOperationUnchecked(session, 'incrby', { key: 's:max', increment: '9223372036854775808' }),
      /not a whole number/,
    );
  });

  it('INCRBYFLOAT and APPEND', async () => {
    assert.equal(await runOperation(session, 'incrbyfloat', { key: 's:f', increment: 10.5 }), 10.5);
    assert.equal(await runOperation(session, 'incrbyfloat', { key: 's:f', increment: '-0.25' }), 10.25);
    assert.equal(await runOperation(session, 'append', { key: 's:ap', value: 'ab' }), 2);
    assert.equal(await runOperation(session, 'append', { key: 's:ap', value: '中' }), 5);
  });

  it('binary keys and values go through { hex } arguments and come back as { hex }', async () => {
    const key = { hex: 'ff00fe0a' };
    await runOperation(session, 'set', { key, value: { hex: '00010203ff' } });
    assert.deepEqual(await seed.getBuffer(Buffer.from('ff00fe0a', 'hex')), Buffer.from('00010203ff', 'hex'));
    assert.deepEqual(await runOperation(session, 'get', { key }), { hex: '00010203ff' });
  });

  it('names the type when a key holds something else', async () => {
    await seed.rpush('s:list', 'a');
    await assert.rejects(
      runOperation(session, 'incr', { key: 's:list' }),
      (err: Error) => err instanceof PreconditionError && err.message === 'The key "s:list" holds a list, not a string.',
    );
    await assert.rejects(runOperation(session, 'append', { key: 's:list', value: 'x' }), {
      message: 'The key "s:list" holds a list, not a string.',
    });
  });

  it('a read-only profile refuses every string write before sending it', async () => {
    const ro = new RedisSession(localProfile(DB, { name: 'prod', readOnly: true }));
    await seed.set('s:ro', '1');
    const writes: [string, Record<string, unknown>][] = [
      ['set', { key: 's:ro', value: '2' }],
      ['setnx', { key: 's:ro2', value: '2' }],
      ['setex', { key: 's:ro', seconds: 5, value: '2' }],
      ['psetex', { key: 's:ro', milliseconds: 5000, value: '2' }],
      ['mset', { pairs: { 's:ro': '2' } }],
      ['msetnx', { pairs: { 's:ro3': '2' } }],
      ['getset', { key: 's:ro', value: '2' }],
      ['getdel', { key: 's:ro' }],
      ['setrange', { key: 's:ro', offset: 0, value: '2' }],
      ['setbit', { key: 's:ro', offset: 0, bit: 1 }],
      ['bitop', { operation: 'NOT', destination: 's:ro', keys: ['s:ro'] }],
      ['incr', { key: 's:ro' }],
      ['incrby', { key: 's:ro', increment: 2 }],
      ['incrbyfloat', { key: 's:ro', increment: 2 }],
      ['decr', { key: 's:ro' }],
      ['decrby', { key: 's:ro', decrement: 2 }],
      ['append', { key: 's:ro', value: '2' }],
    ];
    for (const [name, args] of writes) {
      await assert.rejects(
        runOperationUnchecked(ro, name, args),
        (err: Error) => err instanceof ReadOnlyError && err.message.startsWith('Profile "prod" is read-only'),
        name,
      );
    }
    assert.equal(await seed.get('s:ro'), '1');
    assert.equal(await seed.dbsize(), 1);
    assert.equal(await runOperation(ro, 'get', { key: 's:ro' }), '1');
    ro.close();
  });

  it('types the arguments of each operation', () => {
    // Compile-time checks only: these lines must not type-check.
    const check = (): void => {
      // @ts-expect-error condition must be NX or XX
      void runOperation(session, 'set', { key: 'k', value: 'v', condition: 'ZZ' });
      // @ts-expect-error value is required
      void runOperation(session, 'set', { key: 'k' });
    };
    assert.equal(typeof check, 'function');
  });
});
