import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { CancelledError, InputError, ReadOnlyError } from '../../src/core/errors';
import { RedisSession } from '../../src/core/redis/session';
import { runOperation, runOperationUnchecked } from '../../src/core/redis/operations';
import { localProfile, useRedisDb } from './helpers/redis';

const DB = 11;
const ro = new RedisSession(localProfile(DB, { name: 'prod', readOnly: true }));
after(() => ro.close());

describe('hash operations (real Redis, db 11)', () => {
  let seed: Redis;
  let session: RedisSession;
  useRedisDb(
    DB,
    (p) => Promise.resolve(new RedisSession(p)),
    (s, c) => ([seed, session] = [s, c]),
  );

  it('HSET adds and updates fields, HSETNX only adds', async () => {
    assert.equal(await runOperation(session, 'hset', { key: 'h', fields: { a: '1', b: '2' } }), 2);
    assert.equal(
      await runOperation(session, 'hset', {
        key: 'h',
        fields: [
          { field: 'a', value: '10' },
          { field: 'c', value: '3' },
        ],
      }),
      1,
    );
    assert.equal(await runOperation(session, 'hsetnx', { key: 'h', field: 'a', value: 'x' }), false);
    assert.equal(await runOperation(session, 'hsetnx', { key: 'h', field: 'd', value: '4' }), true);
    assert.deepEqual(await seed.hgetall('h'), { a: '10', b: '2', c: '3', d: '4' });
  });

  it('HGET / HMGET / HEXISTS / HLEN / HSTRLEN / HDEL', async () => {
    await seed.hset('h', { a: '1', b: '中' });
    assert.equal(await runOperation(session, 'hget', { key: 'h', field: 'a' }), '1');
    assert.equal(await runOperation(session, 'hget', { key: 'h', field: 'zz' }), null);
    assert.deepEqual(await runOperation(session, 'hmget', { key: 'h', fields: ['a', 'zz', 'b'] }), ['1', null, '中']);
    assert.equal(await runOperation(session, 'hexists', { key: 'h', field: 'b' }), true);
    assert.equal(await runOperation(session, 'hlen', { key: 'h' }), 2);
    assert.equal(await runOperation(session, 'hstrlen', { key: 'h', field: 'b' }), 3);
    assert.equal(await runOperation(session, 'hdel', { key: 'h', fields: ['a', 'zz'] }), 1);
  });

  it('HINCRBY stays exact past 2^53 and HINCRBYFLOAT adds decimals', async () => {
    await seed.hset('h', 'n', '9007199254740991');
    assert.equal(await runOperation(session, 'hincrby', { key: 'h', field: 'n', increment: 2 }), '9007199254740993');
    assert.equal(await runOperation(session, 'hincrby', { key: 'h', field: 'm', increment: -5 }), -5);
    assert.equal(await runOperation(session, 'hincrbyfloat', { key: 'h', field: 'f', increment: '1.5' }), 1.5);
  });

  it('HKEYS / HVALS / HGETALL come in pages through HSCAN until complete', async () => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < 2500; i++) fields[`f${i}`] = `v${i}`;
    await seed.hset('big', fields);
    const seen = new Set<string>();
    let cursor: string | number = 0;
    let pages = 0;
    for (;;) {
      const page = (await runOperation(session, 'hkeys', { key: 'big', cursor, limit: 1000, count: 500 })) as {
        items: string[];
        cursor: string;
        complete: boolean;
      };
      page.items.forEach((f) => seen.add(f));
      pages++;
      if (page.complete) break;
      cursor = page.cursor;
    }
    assert.equal(seen.size, 2500);
    assert.ok(pages >= 2);
    const vals = (await runOperation(session, 'hvals', { key: 'big', match: 'f1?', limit: 10_000 })) as { items: string[] };
    assert.ok(Array.isArray(vals.items));
    await seed.hset('small', { a: '1' });
    assert.deepEqual(await runOperation(session, 'hgetall', { key: 'small' }), {
      items: [{ field: 'a', value: '1' }],
      cursor: '0',
      complete: true,
    });
    assert.deepEqual(await runOperation(session, 'hkeys', { key: 'small', match: 'a' }), { items: ['a'], cursor: '0', complete: true });
  });

  it('names the type when the key is not a hash', async () => {
    await seed.set('str', 'x');
    await assert.rejects(runOperation(session, 'hset', { key: 'str', fields: { a: '1' } }), {
      message: 'The key "str" holds a string, not a hash.',
    });
    await assert.rejects(runOperation(session, 'hkeys', { key: 'str' }), { message: 'The key "str" holds a string, not a hash.' });
  });

  it('a read-only profile refuses every hash write', async () => {
    await seed.hset('h', 'a', '1');
    for (const [name, args] of [
      ['hset', { key: 'h', fields: { a: '2' } }],
      ['hsetnx', { key: 'h', field: 'b', value: '2' }],
      ['hdel', { key: 'h', fields: ['a'] }],
      ['hincrby', { key: 'h', field: 'a', increment: 1 }],
      ['hincrbyfloat', { key: 'h', field: 'a', increment: 1 }],
    ] as const) {
      await assert.rejects(runOperationUnchecked(ro, name, args), ReadOnlyError);
    }
    assert.deepEqual(await seed.hgetall('h'), { a: '1' });
  });
});

describe('list operations (real Redis, db 11)', () => {
  let seed: Redis;
  let session: RedisSession;
  useRedisDb(
    DB,
    (p) => Promise.resolve(new RedisSession(p)),
    (s, c) => ([seed, session] = [s, c]),
  );

  it('LPUSH / RPUSH / LPUSHX / RPUSHX / LLEN / LINDEX / LRANGE', async () => {
    assert.equal(await runOperation(session, 'rpush', { key: 'l', values: ['b', 'c'] }), 2);
    assert.equal(await runOperation(session, 'lpush', { key: 'l', values: ['a', 'z'] }), 4);
    assert.equal(await runOperation(session, 'lpushx', { key: 'none', values: ['x'] }), 0);
    assert.equal(await runOperation(session, 'rpushx', { key: 'l', values: ['d'] }), 5);
    assert.deepEqual(await runOperation(session, 'lrange', { key: 'l', start: 0, stop: -1 }), ['z', 'a', 'b', 'c', 'd']);
    assert.equal(await runOperation(session, 'lindex', { key: 'l', index: -1 }), 'd');
    assert.equal(await runOperation(session, 'lindex', { key: 'l', index: 99 }), null);
    assert.equal(await runOperation(session, 'llen', { key: 'l' }), 5);
  });

  it('LRANGE refuses a range over 10,000 elements instead of reading it whole', async () => {
    const values = Array.from({ length: 10_001 }, (_, i) => String(i));
    await seed.rpush('long', ...values);
    await assert.rejects(
      runOperation(session, 'lrange', { key: 'long', start: 0, stop: -1 }),
      (err: Error) => err instanceof InputError && /10001 elements/.test(err.message),
    );
    assert.equal(((await runOperation(session, 'lrange', { key: 'long', start: 1, stop: 10_000 })) as string[]).length, 10_000);
  });

  it('LINSERT before and after a pivot, and -1 when the pivot is absent', async () => {
    await seed.rpush('l', 'a', 'c');
    assert.equal(await runOperation(session, 'linsert', { key: 'l', where: 'BEFORE', pivot: 'c', value: 'b' }), 3);
    assert.equal(await runOperation(session, 'linsert', { key: 'l', where: 'after', pivot: 'c', value: 'd' }), 4);
    assert.equal(await runOperation(session, 'linsert', { key: 'l', where: 'AFTER', pivot: 'nope', value: 'x' }), -1);
    assert.deepEqual(await seed.lrange('l', 0, -1), ['a', 'b', 'c', 'd']);
  });

  it('LSET replaces by index and says so when the index is out of range', async () => {
    await seed.rpush('l', 'a', 'b');
    assert.equal(await runOperation(session, 'lset', { key: 'l', index: -1, value: 'B' }), true);
    await assert.rejects(
      runOperation(session, 'lset', { key: 'l', index: 5, value: 'x' }),
      /Redis refused LSET on profile "test-db11": ERR index out of range\./,
    );
    assert.deepEqual(await seed.lrange('l', 0, -1), ['a', 'B']);
  });

  it('LREM removes all (0), the first n from the head (n) or from the tail (-n)', async () => {
    const fresh = async (): Promise<void> => {
      await seed.del('l');
      await seed.rpush('l', 'x', 'a', 'x', 'b', 'x', 'c', 'x');
    };
    await fresh();
    assert.equal(await runOperation(session, 'lrem', { key: 'l', count: 2, value: 'x' }), 2);
    assert.deepEqual(await seed.lrange('l', 0, -1), ['a', 'b', 'x', 'c', 'x']);
    await fresh();
    assert.equal(await runOperation(session, 'lrem', { key: 'l', count: -2, value: 'x' }), 2);
    assert.deepEqual(await seed.lrange('l', 0, -1), ['x', 'a', 'x', 'b', 'c']);
    await fresh();
    assert.equal(await runOperation(session, 'lrem', { key: 'l', count: 0, value: 'x' }), 4);
    assert.deepEqual(await seed.lrange('l', 0, -1), ['a', 'b', 'c']);
  });

  it('LPOP / RPOP with and without a count, LTRIM, RPOPLPUSH and LMOVE', async () => {
    await seed.rpush('l', '1', '2', '3', '4', '5', '6');
    assert.equal(await runOperation(session, 'lpop', { key: 'l' }), '1');
    assert.deepEqual(await runOperation(session, 'rpop', { key: 'l', count: 2 }), ['6', '5']);
    assert.equal(await runOperation(session, 'lpop', { key: 'none' }), null);
    assert.equal(await runOperation(session, 'ltrim', { key: 'l', start: 0, stop: 1 }), true);
    assert.deepEqual(await seed.lrange('l', 0, -1), ['2', '3']);
    assert.equal(await runOperation(session, 'rpoplpush', { source: 'l', destination: 'm' }), '3');
    assert.equal(await runOperation(session, 'lmove', { source: 'l', destination: 'm', from: 'LEFT', to: 'RIGHT' }), '2');
    assert.deepEqual(await seed.lrange('m', 0, -1), ['3', '2']);
    assert.equal(await runOperation(session, 'rpoplpush', { source: 'l', destination: 'm' }), null);
  });

  it('BLPOP / BRPOP time out with null on a dedicated connection, leaving the shared one free', async () => {
    const client = await session.client();
    const started = Date.now();
    const pending = runOperation(session, 'blpop', { keys: ['bl:a', 'bl:b'], timeout: 0.3 });
    assert.equal(await client.ping(), 'PONG');
    assert.ok(Date.now() - started < 250, 'the shared connection answered while BLPOP waited');
    assert.equal(await pending, null);
    assert.ok(Date.now() - started >= 280);
    assert.equal(await runOperation(session, 'brpop', { keys: ['bl:a'], timeout: '0.1' }), null);
    assert.equal(await runOperation(session, 'brpoplpush', { source: 'bl:a', destination: 'bl:b', timeout: 0.1 }), null);
  });

  it('BLPOP / BRPOP / BRPOPLPUSH / BLMOVE return as soon as an element arrives', async () => {
    const started = Date.now();
    const pop = runOperation(session, 'blpop', { keys: ['bl:a', 'bl:b'], timeout: 5 });
    setTimeout(() => void seed.rpush('bl:b', 'hello'), 100);
    assert.deepEqual(await pop, { key: 'bl:b', value: 'hello' });
    assert.ok(Date.now() - started < 2000);
    await seed.rpush('bl:a', '1', '2');
    assert.deepEqual(await runOperation(session, 'brpop', { keys: ['bl:a'], timeout: 1 }), { key: 'bl:a', value: '2' });
    assert.equal(await runOperation(session, 'brpoplpush', { source: 'bl:a', destination: 'bl:c', timeout: 1 }), '1');
    await seed.rpush('bl:c', 'z');
    assert.equal(
      await runOperation(session, 'blmove', { source: 'bl:c', destination: 'bl:d', from: 'RIGHT', to: 'LEFT', timeout: 1 }),
      'z',
    );
    assert.deepEqual(await seed.lrange('bl:d', 0, -1), ['z']);
  });

  it('cancelling a blocking pop closes its connection and rejects at once', async () => {
    const ac = new AbortController();
    const pop = runOperation(session, 'blpop', { keys: ['bl:never'], timeout: 0 }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(pop, CancelledError);
    const names = await seed.client('LIST');
    assert.ok(!String(names).includes('broker-explorer:blocking cmd=blpop'));
  });

  it('a blocking pop always gets a dedicated connection from its session, closed afterwards', async () => {
    await seed.rpush('bl:own', 'v');
    assert.deepEqual(await runOperation(session, 'blpop', { keys: ['bl:own'], timeout: 1 }), { key: 'bl:own', value: 'v' });
    let open = true;
    for (let i = 0; i < 50 && open; i++) {
      open = /name=broker-explorer:blocking /.test(String(await seed.client('LIST')));
      if (open) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(open, false, 'the blocking connection was closed');
  });

  it('a read-only profile refuses every list write, the server unchanged', async () => {
    await seed.rpush('l', 'a', 'b');
    const writes: [string, Record<string, unknown>][] = [
      ['lpush', { key: 'l', values: ['x'] }],
      ['rpush', { key: 'l', values: ['x'] }],
      ['lpushx', { key: 'l', values: ['x'] }],
      ['rpushx', { key: 'l', values: ['x'] }],
      ['linsert', { key: 'l', where: 'BEFORE', pivot: 'a', value: 'x' }],
      ['lset', { key: 'l', index: 0, value: 'x' }],
      ['lrem', { key: 'l', count: 0, value: 'a' }],
      ['lpop', { key: 'l' }],
      ['rpop', { key: 'l' }],
      ['ltrim', { key: 'l', start: 0, stop: 0 }],
      ['rpoplpush', { source: 'l', destination: 'm' }],
      ['lmove', { source: 'l', destination: 'm', from: 'LEFT', to: 'LEFT' }],
      ['blpop', { keys: ['l'], timeout: 1 }],
      ['brpop', { keys: ['l'], timeout: 1 }],
      ['brpoplpush', { source: 'l', destination: 'm', timeout: 1 }],
      ['blmove', { source: 'l', destination: 'm', from: 'LEFT', to: 'LEFT', timeout: 1 }],
    ];
    for (const [name, args] of writes) await assert.rejects(runOperationUnchecked(ro, name, args), ReadOnlyError, name);
    assert.deepEqual(await seed.lrange('l', 0, -1), ['a', 'b']);
    assert.equal(await seed.exists('m'), 0);
  });
});
