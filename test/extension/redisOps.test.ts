import assert from 'node:assert/strict';
import { api, exec, plainRedis, rejects, sleep, uniqueName } from './util';

const DB = 3;

export function registerRedisOpsTests(): void {
  describe('Redis commands, pipelines and typed operations (db 3)', () => {
    const name = uniqueName('ops');
    const readOnly = uniqueName('ops-ro');
    const seed = plainRedis(DB);
    const op = <T>(operation: string, args: Record<string, unknown>): Promise<T> =>
      exec<T>('brokerExplorer.redis.operation', { profile: name, operation, args });

    before(async () => {
      await seed.flushdb();
      await exec('brokerExplorer.profiles.add', { kind: 'redis', profile: { name, host: '127.0.0.1', port: 6379, db: DB } });
      await exec('brokerExplorer.profiles.add', {
        kind: 'redis',
        profile: { name: readOnly, host: '127.0.0.1', port: 6379, db: DB, readOnly: true },
      });
    });
    afterEach(() => seed.flushdb());
    after(async () => {
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name });
      await exec('brokerExplorer.profiles.remove', { kind: 'redis', name: readOnly });
      await seed.flushdb();
      seed.disconnect();
    });

    it('runCommand takes a redis-cli line or an argv with {hex} and returns exact replies', async () => {
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, line: 'SET greeting "hello world"' }), 'OK');
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, argv: ['GET', 'greeting'] }), 'hello world');
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, argv: ['GET', 'missing'] }), null);
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, argv: ['SET', { hex: '00ff' }, { hex: 'fe01' }] }), 'OK');
      assert.deepEqual(await exec('brokerExplorer.redis.runCommand', { profile: name, argv: ['GET', { hex: '00ff' }] }), { hex: 'fe01' });
      assert.deepEqual(await exec('brokerExplorer.redis.runCommand', { profile: name, line: 'RPUSH l a b' }), 2);
      assert.deepEqual(await exec('brokerExplorer.redis.runCommand', { profile: name, line: 'LRANGE l 0 -1' }), ['a', 'b']);
    });

    it('returns INCR past 2^53 exactly, as a string', async () => {
      await seed.set('big', '9007199254740992');
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, line: 'INCR big' }), '9007199254740993');
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, line: 'DECR big' }), '9007199254740992');
      assert.equal(await op('incr', { key: 'big' }), '9007199254740993');
      await seed.set('small', '41');
      assert.equal(await op('incr', { key: 'small' }), 42);
    });

    it('rejects an error reply with one sentence naming the command and profile', async () => {
      await seed.set('s', 'x');
      await rejects(
        exec('brokerExplorer.redis.runCommand', { profile: name, line: 'LPUSH s y' }),
        /Redis refused LPUSH on profile ".*": WRONGTYPE/,
      );
      await rejects(exec('brokerExplorer.redis.runCommand', { profile: name, line: 'GET "unterminated' }), /Unterminated quote/);
      await rejects(exec('brokerExplorer.redis.runCommand', { profile: name, line: 'SUBSCRIBE ch' }), /Subscribe/);
    });

    it('refuses writes on a read-only profile before sending, and still reads', async () => {
      await rejects(exec('brokerExplorer.redis.runCommand', { profile: readOnly, line: 'SET k v' }), /read-only/);
      assert.equal(await seed.exists('k'), 0);
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: readOnly, line: 'DBSIZE' }), 0);
      await rejects(
        exec('brokerExplorer.redis.runPipeline', {
          profile: readOnly,
          commands: [
            ['GET', 'a'],
            ['DEL', 'a'],
          ],
        }),
        /read-only/,
      );
      await rejects(
        exec('brokerExplorer.redis.operation', { profile: readOnly, operation: 'set', args: { key: 'k2', value: 'v' } }),
        /read-only/,
      );
      assert.equal(await seed.exists('k2'), 0);
      await seed.set('k', 'kept');
      await rejects(exec('brokerExplorer.redis.deleteKeys', { profile: readOnly, keys: ['k'] }), /read-only/);
      await rejects(exec('brokerExplorer.redis.flushDb', { profile: readOnly, db: DB }), /read-only/);
      assert.equal(await seed.exists('k'), 1);
    });

    it('runs a pipeline where one failing line does not hide the others', async () => {
      const replies = await exec<unknown[]>('brokerExplorer.redis.runPipeline', {
        profile: name,
        commands: [['SET', 's', '1'], ['LPUSH', 's', 'x'], ['INCR', 's'], 'GET s', ['NOSUCHCOMMAND']],
      });
      assert.equal(replies.length, 5);
      assert.equal(replies[0], 'OK');
      assert.match((replies[1] as { error: string }).error, /^WRONGTYPE/);
      assert.equal(replies[2], 2);
      assert.equal(replies[3], '2');
      assert.match((replies[4] as { error: string }).error, /unknown command/i);
    });

    it('runs a transaction, and an aborted one says EXECABORT and changes nothing', async () => {
      assert.deepEqual(
        await exec('brokerExplorer.redis.runPipeline', {
          profile: name,
          transaction: true,
          commands: [
            ['SET', 'a', '1'],
            ['INCRBY', 'a', '41'],
            ['GET', 'a'],
          ],
        }),
        ['OK', 42, '42'],
      );
      await rejects(
        exec('brokerExplorer.redis.runPipeline', {
          profile: name,
          transaction: true,
          commands: [
            ['SET', 'b', '1'],
            ['SET', 'b'],
            ['INCR', 'b'],
          ],
        }),
        /EXECABORT.*line 2 \(SET\).*nothing was changed/,
      );
      assert.equal(await seed.exists('b'), 0);
    });

    it('runs .redis text as a pipeline with results per line and a transaction with EXECABORT', async () => {
      const text = '# seed\nSET k1 "a b"\n\nGET k1\nLPUSH k1 x\nINCR counter\n';
      const run = await exec<{
        lines: number;
        errors: number;
        complete: boolean;
        results: { line: number; command: string; reply: unknown }[];
      }>('brokerExplorer.redis.runFileAsPipeline', { profile: name, text });
      assert.equal(run.lines, 4);
      assert.equal(run.errors, 1);
      assert.deepEqual(
        run.results.map((r) => [r.line, r.command]),
        [
          [2, 'SET'],
          [4, 'GET'],
          [5, 'LPUSH'],
          [6, 'INCR'],
        ],
      );
      assert.equal(run.results[1].reply, 'a b');
      assert.equal(run.results[3].reply, 1);
      const tx = await exec<{ aborted?: string; results: { reply: unknown }[] }>('brokerExplorer.redis.runFileAsTransaction', {
        profile: name,
        text: 'SET t 1\nSET t\nINCR t\n',
      });
      assert.match(tx.aborted ?? '', /EXECABORT/);
      assert.equal(await seed.exists('t'), 0);
    });

    it('string operations: SET NX / XX outcomes, GETRANGE on multi-byte text, bits and BITOP NOT', async () => {
      assert.deepEqual(await op('set', { key: 's', value: 'one', condition: 'NX' }), { set: true });
      assert.deepEqual(await op('set', { key: 's', value: 'two', condition: 'NX' }), { set: false });
      assert.deepEqual(await op('set', { key: 'absent', value: 'x', condition: 'XX' }), { set: false });
      assert.deepEqual(await op('set', { key: 's', value: 'three', condition: 'XX', get: true }), { set: true, previous: 'one' });
      await op('set', { key: 'ttl', value: 'v', expiry: 'EX', ttl: 100 });
      assert.ok((await seed.ttl('ttl')) > 90);
      assert.equal(await op('setnx', { key: 's', value: 'y' }), false);
      await op('mset', {
        pairs: [
          { key: 'm1', value: 'a' },
          { key: 'm2', value: { hex: 'ff' } },
        ],
      });
      assert.deepEqual(await op('mget', { keys: ['m1', 'm2', 'nope'] }), ['a', { hex: 'ff' }, null]);
      await op('set', { key: 'cjk', value: '日本語' });
      assert.deepEqual(await op('getrange', { key: 'cjk', start: 0, end: 2 }), { value: '日', bytes: 3 });
      assert.equal(await op('strlen', { key: 'cjk' }), 9);
      assert.equal(await op('append', { key: 'cjk', value: '!' }), 10);
      assert.equal(await op('setbit', { key: 'bits', offset: 7, bit: 1 }), 0);
      assert.equal(await op('getbit', { key: 'bits', offset: 7 }), 1);
      assert.equal(await op('bitcount', { key: 'bits' }), 1);
      assert.equal(await op('bitop', { operation: 'NOT', destination: 'inv', keys: ['bits'] }), 1);
      assert.deepEqual(await seed.getBuffer('inv'), Buffer.from([0xfe]));
      assert.equal(await op('incrbyfloat', { key: 'f', increment: '1.5' }), 1.5);
      await rejects(op('bitop', { operation: 'NOT', destination: 'inv', keys: ['a', 'b'] }), /exactly one source key/);
    });

    it('hash and list operations, with LREM count signs', async () => {
      assert.equal(
        await exec('brokerExplorer.redis.hashOperation', {
          profile: name,
          operation: 'hset',
          args: { key: 'h', fields: { name: 'Ada', lang: 'en' } },
        }),
        2,
      );
      assert.equal(await op('hsetnx', { key: 'h', field: 'name', value: 'Bob' }), false);
      assert.deepEqual(await op('hmget', { key: 'h', fields: ['name', 'nope'] }), ['Ada', null]);
      assert.equal(await op('hincrby', { key: 'h', field: 'n', increment: 5 }), 5);
      assert.equal(await op('hexists', { key: 'h', field: 'lang' }), true);
      assert.equal(await op('hlen', { key: 'h' }), 3);
      assert.equal(await op('hdel', { key: 'h', fields: ['lang', 'nope'] }), 1);
      await rejects(
        exec('brokerExplorer.redis.listOperation', { profile: name, operation: 'hset', args: {} }),
        /hash operation, not a list one/,
      );
      await seed.rpush('l', 'x', 'a', 'x', 'b', 'x', 'x');
      assert.equal(await op('lrem', { key: 'l', count: -1, value: 'x' }), 1);
      assert.deepEqual(await seed.lrange('l', 0, -1), ['x', 'a', 'x', 'b', 'x']);
      assert.equal(await op('lrem', { key: 'l', count: 1, value: 'x' }), 1);
      assert.deepEqual(await seed.lrange('l', 0, -1), ['a', 'x', 'b', 'x']);
      assert.equal(await op('lrem', { key: 'l', count: 0, value: 'x' }), 2);
      assert.equal(await op('linsert', { key: 'l', where: 'BEFORE', pivot: 'b', value: 'm' }), 3);
      assert.deepEqual(await op('lrange', { key: 'l', start: 0, stop: -1 }), ['a', 'm', 'b']);
      assert.equal(await op('lpop', { key: 'l' }), 'a');
      await rejects(op('lpush', { key: 'h', values: ['x'] }), /holds a hash, not a list/);
    });

    it('blocking pops time out with null and return when an element arrives, on their own connection', async () => {
      const started = Date.now();
      assert.equal(await op('blpop', { keys: ['q'], timeout: 0.3 }), null);
      assert.ok(Date.now() - started >= 250);
      const waiting = op<{ key: string; value: string }>('brpop', { keys: ['q2'], timeout: 5 });
      await sleep(200);
      // The shared connection is not blocked meanwhile.
      assert.equal(await exec('brokerExplorer.redis.runCommand', { profile: name, line: 'RPUSH q2 job' }), 1);
      assert.deepEqual(await waiting, { key: 'q2', value: 'job' });
    });

    it('set and sorted-set operations: *STORE, lex ranges and AGGREGATE modes', async () => {
      await op('sadd', { key: 's1', members: ['a', 'b', 'c'] });
      await op('sadd', { key: 's2', members: ['b', 'c', 'd'] });
      assert.deepEqual((await op<string[]>('sinter', { keys: ['s1', 's2'] })).sort(), ['b', 'c']);
      assert.equal(await op('sunionstore', { destination: 'u', keys: ['s1', 's2'] }), 4);
      assert.equal(await op('sismember', { key: 'u', member: 'd' }), true);
      assert.equal(await op('smove', { source: 's1', destination: 's2', member: 'a' }), true);
      assert.equal(await op('scard', { key: 's2' }), 4);
      await op('zadd', { key: 'z', members: ['a', 'b', 'c', 'd'].map((m) => ({ member: m, score: 0 })) });
      assert.deepEqual(await op('zrange', { key: 'z', start: '[b', stop: '(d', by: 'LEX' }), ['b', 'c']);
      assert.deepEqual(await op('zrange', { key: 'z', start: '+', stop: '[c', by: 'LEX', rev: true }), ['d', 'c']);
      assert.equal(await op('zadd', { key: 'z', members: [{ member: 'a', score: 5 }], condition: 'NX' }), 0);
      assert.equal(await op('zadd', { key: 'z', members: [{ member: 'a', score: 5 }], comparison: 'GT', ch: true }), 1);
      await op('zadd', {
        key: 'z1',
        members: [
          { member: 'x', score: 1 },
          { member: 'y', score: 2 },
        ],
      });
      await op('zadd', {
        key: 'z2',
        members: [
          { member: 'x', score: 10 },
          { member: 'y', score: 20 },
        ],
      });
      await op('zinterstore', { destination: 'sum', keys: ['z1', 'z2'], weights: [2, 1] });
      assert.deepEqual(await op('zrange', { key: 'sum', start: 0, stop: -1, withScores: true }), [
        { member: 'x', score: 12 },
        { member: 'y', score: 24 },
      ]);
      await op('zunionstore', { destination: 'max', keys: ['z1', 'z2'], aggregate: 'MAX' });
      assert.equal(await op('zscore', { key: 'max', member: 'y' }), 20);
      await op('zunionstore', { destination: 'min', keys: ['z1', 'z2'], aggregate: 'MIN' });
      assert.equal(await op('zscore', { key: 'min', member: 'y' }), 2);
      assert.equal(await op('zincrby', { key: 'min', increment: '0.5', member: 'y' }), 2.5);
      await op('zadd', { key: 'min', members: [{ member: 'top', score: 'inf' }] });
      assert.equal(await op('zscore', { key: 'min', member: 'top' }), 'inf');
    });

    it('key operations: TTL, rename, move, copy, type, encoding, memory', async () => {
      await seed.set('k', '123');
      assert.equal(await op('exists', { keys: ['k', 'k', 'no'] }), 2);
      assert.equal(await exec('brokerExplorer.redis.expire', { profile: name, args: { key: 'k', seconds: 100 } }), true);
      assert.ok((await op<number>('ttl', { key: 'k' })) > 90);
      assert.equal(await exec('brokerExplorer.redis.persist', { profile: name, args: { key: 'k' } }), true);
      assert.equal(await op('ttl', { key: 'k' }), -1);
      assert.equal(await op('type', { key: 'k' }), 'string');
      assert.equal(await op('objectEncoding', { key: 'k' }), 'int');
      assert.ok((await op<number>('memoryUsage', { key: 'k' })) > 0);
      assert.equal(await op('copy', { source: 'k', destination: 'k2' }), true);
      assert.equal(await op('renamenx', { key: 'k', newKey: 'k2' }), false);
      assert.equal(await exec('brokerExplorer.redis.rename', { profile: name, args: { key: 'k', newKey: 'k3' } }), true);
      assert.equal(await exec('brokerExplorer.redis.move', { profile: name, args: { key: 'k3', db: 4 } }), true);
      const other = plainRedis(4);
      try {
        assert.equal(await other.get('k3'), '123');
        await other.del('k3');
      } finally {
        other.disconnect();
      }
      assert.equal(await op('randomkey', {}), 'k2');
    });

    it('creates keys of every type, deletes by keys and by match, and flushes the database', async () => {
      assert.deepEqual(await exec('brokerExplorer.redis.newKey', { profile: name, type: 'hash', key: 'nh', items: ['f', 'v'] }), {
        key: 'nh',
        type: 'hash',
      });
      await exec('brokerExplorer.redis.newKey', { profile: name, type: 'zset', key: 'nz', items: ['1', 'm'] });
      await exec('brokerExplorer.redis.newKey', { profile: name, type: 'string', key: 'ns', value: 'v' });
      await rejects(exec('brokerExplorer.redis.newKey', { profile: name, type: 'string', key: 'ns', value: 'w' }), /exists already/);
      assert.equal(await seed.type('nz'), 'zset');
      const p = seed.pipeline();
      for (let i = 0; i < 2500; i++) p.set(`del:${i}`, 'x');
      await p.exec();
      assert.deepEqual(await exec('brokerExplorer.redis.deleteKeys', { profile: name, keys: ['nh', 'nz', 'nope'] }), { deleted: 2 });
      assert.deepEqual(await exec('brokerExplorer.redis.deleteKeys', { profile: name, match: 'del:*' }), { deleted: 2500 });
      assert.equal(await seed.dbsize(), 1);
      await rejects(exec('brokerExplorer.redis.flushDb', { profile: name }), /database number/);
      assert.deepEqual(await exec('brokerExplorer.redis.flushDb', { profile: name, db: DB }), {});
      assert.equal(await seed.dbsize(), 0);
    });

    it('scanValue pages through each collection type with MATCH', async () => {
      const fields: string[] = [];
      for (let i = 0; i < 300; i++) fields.push(`f${i}`, `v${i}`);
      await seed.hset('h', ...fields);
      const page = await exec<{ type: string; items: { field: string; value: string }[]; cursor: string; complete: boolean }>(
        'brokerExplorer.redis.scanValue',
        { profile: name, key: 'h', match: 'f1?', count: 1000 },
      );
      assert.equal(page.type, 'hash');
      assert.equal(page.complete, true);
      assert.deepEqual(page.items.map((i) => i.field).sort(), ['f10', 'f11', 'f12', 'f13', 'f14', 'f15', 'f16', 'f17', 'f18', 'f19']);
      await seed.rpush('l', ...Array.from({ length: 25 }, (_, i) => `e${i}`));
      const first = await exec<{ items: string[]; cursor: string; complete: boolean }>('brokerExplorer.redis.scanValue', {
        profile: name,
        key: 'l',
        count: 10,
        limit: 10,
      });
      assert.deepEqual(
        first.items,
        Array.from({ length: 10 }, (_, i) => `e${i}`),
      );
      assert.equal(first.complete, false);
      const rest = await exec<{ items: string[]; complete: boolean }>('brokerExplorer.redis.scanValue', {
        profile: name,
        key: 'l',
        count: 10,
        limit: 100,
        cursor: first.cursor,
      });
      assert.equal(rest.items.length, 15);
      assert.equal(rest.complete, true);
      await seed.zadd('z', 1, 'a', 2, 'b');
      const z = await exec<{ items: unknown[] }>('brokerExplorer.redis.scanValue', { profile: name, key: 'z' });
      assert.deepEqual(z.items, [
        { member: 'a', score: 1 },
        { member: 'b', score: 2 },
      ]);
      await rejects(exec('brokerExplorer.redis.scanValue', { profile: name, key: 'missing' }), /does not exist/);
    });

    it('the tree shows a new key after a typed operation, without a full reload', async () => {
      const a = await api();
      await a.redisTree.children(undefined);
      const profile = a.redisTree.profileNode(name);
      assert.ok(profile);
      const db = profile.database(DB);
      const before = await a.redisTree.children(db);
      const strings = before.find((g) => (g as { type?: string }).type === 'string');
      assert.ok(strings);
      const empty = await a.redisTree.children(strings);
      assert.equal(empty.length, 1);
      await op('set', { key: 'fresh', value: '1' });
      const groups = await a.redisTree.children(profile.database(DB));
      const again = groups.find((g) => (g as { type?: string }).type === 'string');
      assert.ok(again);
      const keys = await a.redisTree.children(again);
      assert.ok(keys.some((k) => (k as { key?: Buffer }).key?.toString() === 'fresh'));
    });

    it('copies a key name to the clipboard', async () => {
      assert.deepEqual(await exec('brokerExplorer.redis.copyKeyName', { profile: name, key: 'a b' }), { text: 'a b' });
      await seed.hset('hv', 'f', 'v');
      const copied = await exec<{ text: string }>('brokerExplorer.redis.copyValue', { profile: name, key: 'hv' });
      assert.deepEqual(JSON.parse(copied.text), [{ field: 'f', value: 'v' }]);
    });
  });
}
