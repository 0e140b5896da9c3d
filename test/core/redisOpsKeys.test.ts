import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { CancelledError, InputError, ReadOnlyError } from '../../src/core/errors';
import { RedisSession } from '../../src/core/redis/session';
import { countKeys, deleteByPattern, deleteKeys, flushDb } from '../../src/core/redis/keyOps';
import { runOperation, runOperationUnchecked } from '../../src/core/redis/operations';
import { localProfile, plainClient, seedKeys, useRedisDb } from './helpers/redis';

const DB = 12;
const OTHER_DB = 8;
const ro = new RedisSession(localProfile(DB, { name: 'prod', readOnly: true }));
after(() => ro.close());

describe('key operations (real Redis, db 12)', function () {
  this.timeout(60_000);
  let seed: Redis;
  let session: RedisSession;
  useRedisDb(
    DB,
    (p) => Promise.resolve(new RedisSession(p)),
    (s, c) => ([seed, session] = [s, c]),
  );
  let other: Redis;
  before(() => {
    other = plainClient(OTHER_DB);
  });
  afterEach(() => other.del('keys-test:moved', 'keys-test:copied'));
  after(() => other.disconnect());

  it('EXISTS counts keys (a repeated key twice), UNLINK deletes', async () => {
    await seed.mset('a', '1', 'b', '2');
    assert.equal(await runOperation(session, 'exists', { keys: ['a', 'b', 'none', 'a'] }), 3);
    assert.equal(await runOperation(session, 'unlink', { keys: ['a', 'none'] }), 1);
    assert.equal(await seed.exists('a'), 0);
  });

  it('EXPIRE / PEXPIRE (with NX / XX / GT / LT), TTL / PTTL and PERSIST', async () => {
    await seed.set('k', 'v');
    assert.equal(await runOperation(session, 'ttl', { key: 'k' }), -1);
    assert.equal(await runOperation(session, 'ttl', { key: 'none' }), -2);
    assert.equal(await runOperation(session, 'expire', { key: 'k', seconds: 100, condition: 'XX' }), false);
    assert.equal(await runOperation(session, 'expire', { key: 'k', seconds: 100, condition: 'NX' }), true);
    assert.equal(await runOperation(session, 'expire', { key: 'k', seconds: 50, condition: 'GT' }), false);
    assert.equal(await runOperation(session, 'pexpire', { key: 'k', milliseconds: 50_000, condition: 'LT' }), true);
    const pttl = (await runOperation(session, 'pttl', { key: 'k' })) as number;
    assert.ok(pttl > 40_000 && pttl <= 50_000);
    assert.equal(await runOperation(session, 'persist', { key: 'k' }), true);
    assert.equal(await seed.ttl('k'), -1);
    assert.equal(await runOperation(session, 'expire', { key: 'none', seconds: 10 }), false);
  });

  it('RENAME replaces the target, RENAMENX refuses an existing one, a missing source is one sentence', async () => {
    await seed.mset('a', '1', 'b', '2');
    assert.equal(await runOperation(session, 'renamenx', { key: 'a', newKey: 'b' }), false);
    assert.equal(await runOperation(session, 'rename', { key: 'a', newKey: 'b' }), true);
    assert.equal(await seed.get('b'), '1');
    await assert.rejects(runOperation(session, 'rename', { key: 'none', newKey: 'x' }), {
      message: 'Redis refused RENAME on profile "test-db12": ERR no such key.',
    });
  });

  it('MOVE to another database, and false when the key exists there', async () => {
    await seed.set('keys-test:moved', 'here');
    assert.equal(await runOperation(session, 'move', { key: 'keys-test:moved', db: OTHER_DB }), true);
    assert.equal(await other.get('keys-test:moved'), 'here');
    await seed.set('keys-test:moved', 'again');
    assert.equal(await runOperation(session, 'move', { key: 'keys-test:moved', db: OTHER_DB }), false);
    assert.equal(await seed.get('keys-test:moved'), 'again');
  });

  it('COPY within the database, to another one, and with REPLACE', async () => {
    await seed.rpush('src', 'a', 'b');
    await seed.set('dst', 'x');
    assert.equal(await runOperation(session, 'copy', { source: 'src', destination: 'dst' }), false);
    assert.equal(await runOperation(session, 'copy', { source: 'src', destination: 'dst', replace: true }), true);
    assert.deepEqual(await seed.lrange('dst', 0, -1), ['a', 'b']);
    assert.equal(await runOperation(session, 'copy', { source: 'src', destination: 'keys-test:copied', db: OTHER_DB }), true);
    assert.deepEqual(await other.lrange('keys-test:copied', 0, -1), ['a', 'b']);
  });

  it('RANDOMKEY, TYPE, OBJECT ENCODING, MEMORY USAGE, DBSIZE', async () => {
    assert.equal(await runOperation(session, 'randomkey', {}), null);
    await seed.set('n', '12345');
    await seed.hset('h', 'f', 'v');
    assert.ok(['n', 'h'].includes((await runOperation(session, 'randomkey', {})) as string));
    assert.equal(await runOperation(session, 'type', { key: 'h' }), 'hash');
    assert.equal(await runOperation(session, 'type', { key: 'none' }), 'none');
    assert.equal(await runOperation(session, 'objectEncoding', { key: 'n' }), 'int');
    assert.equal(await runOperation(session, 'objectEncoding', { key: 'h' }), 'listpack');
    assert.equal(await runOperation(session, 'objectEncoding', { key: 'none' }), null);
    assert.ok(((await runOperation(session, 'memoryUsage', { key: 'h' })) as number) > 0);
    assert.equal(await runOperation(session, 'memoryUsage', { key: 'none', samples: 0 }), null);
    assert.equal(await runOperation(session, 'dbsize', {}), 2);
  });

  it('delete by pattern counts first, then SCANs and UNLINKs in batches with progress', async () => {
    await seedKeys(seed, 5000, (i) => `del:${i}`);
    await seedKeys(seed, 100, (i) => `keep:${i}`);
    const counted = await countKeys(session, 'del:*', { count: 500 });
    assert.equal(counted.count, 5000);
    const progress: number[] = [];
    const result = await deleteByPattern(session, 'del:*', { count: 500, onProgress: (p) => progress.push(p.deleted ?? 0) });
    assert.equal(result.deleted, 5000);
    assert.ok(progress.length >= 5, 'reported progress batch by batch');
    assert.deepEqual(
      progress,
      [...progress].sort((x, y) => x - y),
    );
    assert.equal(await seed.dbsize(), 100);
  });

  it('delete by pattern stops when cancelled, before the next SCAN', async () => {
    await seedKeys(seed, 5000, (i) => `del:${i}`);
    const ac = new AbortController();
    await assert.rejects(
      deleteByPattern(session, 'del:*', { count: 100, signal: ac.signal, onProgress: (p) => (p.deleted ?? 0) >= 300 && ac.abort() }),
      CancelledError,
    );
    const left = await seed.dbsize();
    assert.ok(left > 4000 && left <= 4700, `${left} keys left`);
  });

  it('deletes a list of keys, binary ones too', async () => {
    await seed.set(Buffer.from([0xff, 0x01]), 'x');
    await seed.set('plain', 'x');
    assert.deepEqual(await deleteKeys(session, [{ hex: 'ff01' }, 'plain', 'none']), { deleted: 2 });
    await assert.rejects(deleteKeys(session, []), InputError);
  });

  it('FLUSHDB only when the database number typed matches the connection', async () => {
    await seed.set('a', '1');
    await assert.rejects(flushDb(session, 3), { message: 'This connection is on database 12, not 3: nothing was flushed.' });
    assert.equal(await seed.dbsize(), 1);
    assert.deepEqual(await flushDb(session, DB, { async: false }), {});
    assert.equal(await seed.dbsize(), 0);
  });

  it('a read-only profile refuses every key write, delete and flush, the server unchanged', async () => {
    await seed.mset('a', '1', 'b', '2');
    await seed.expire('b', 1000);
    for (const [name, args] of [
      ['unlink', { keys: ['a'] }],
      ['expire', { key: 'a', seconds: 5 }],
      ['pexpire', { key: 'a', milliseconds: 5000 }],
      ['persist', { key: 'b' }],
      ['rename', { key: 'a', newKey: 'c' }],
      ['renamenx', { key: 'a', newKey: 'c' }],
      ['move', { key: 'a', db: OTHER_DB }],
      ['copy', { source: 'a', destination: 'c' }],
    ] as const) {
      await assert.rejects(runOperationUnchecked(ro, name, args), ReadOnlyError, name);
    }
    await assert.rejects(deleteByPattern(ro, '*'), ReadOnlyError);
    await assert.rejects(deleteKeys(ro, ['a']), ReadOnlyError);
    await assert.rejects(flushDb(ro, DB), ReadOnlyError);
    assert.deepEqual(await seed.mget('a', 'b', 'c'), ['1', '2', null]);
    assert.ok((await seed.ttl('b')) > 900);
    assert.equal(await runOperation(ro, 'exists', { keys: ['a'] }), 1);
  });
});
