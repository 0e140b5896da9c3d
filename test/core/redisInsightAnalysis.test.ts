/**
 * Keyspace analysis (issue 14, part 2) on a redis-server of the test's own,
 * so no other suite's keys change the figures: 1,000 `user:` keys of known
 * sizes plus other types and TTLs; every figure is compared with a plain
 * client computing the same thing key by key.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { BytesLike } from '../../src/core/bytes';
import { InputError } from '../../src/core/errors';
import { analyzeKeyspace, type KeyspaceAnalysis } from '../../src/core/redis/keyspaceAnalysis';
import { PrefixTree, TopN } from '../../src/core/redis/keyspaceTally';
import { resolveRedisProfile } from '../../src/core/profiles';
import { openRespClient, type RespClient } from '../../src/core/redis/respClient';
import { OwnRedis } from './helpers/ownServers';

interface Truth {
  key: string;
  type: string;
  bytes: number;
  length: number;
  ttl: number;
}

const text = (b: BytesLike): string => (typeof b === 'string' ? b : b.hex);

const LENGTH: Record<string, string> = { string: 'strlen', hash: 'hlen', list: 'llen', set: 'scard', zset: 'zcard', stream: 'xlen' };

/** What a plain client measures, key by key (KEYS is fine on the test's own small server). */
async function truth(client: Redis, pattern = '*'): Promise<Truth[]> {
  const out: Truth[] = [];
  for (const key of await client.keys(pattern)) {
    const type = await client.type(key);
    const bytes = Number(await client.call('MEMORY', 'USAGE', key));
    const length = Number(await client.call(LENGTH[type], key));
    out.push({ key, type, bytes, length, ttl: await client.ttl(key) });
  }
  return out;
}

describe('Keyspace analysis (own redis-server, seeded)', function () {
  this.timeout(60_000);
  let server: OwnRedis;
  let plain: Redis;
  /** The connection the analysis walks on (the command opens one of its own like it). */
  let walker: RespClient;
  let expected: Truth[];

  before(async () => {
    server = await OwnRedis.start();
    plain = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 });
    const p = plain.pipeline();
    for (let i = 0; i < 1000; i++) p.set(`user:${i % 10}:${i}`, 'x'.repeat(10 + i));
    for (let i = 0; i < 30; i++) p.hset(`cart:${i}`, Object.fromEntries(Array.from({ length: i + 1 }, (_, f) => [`f${f}`, 'v'])));
    for (let i = 0; i < 20; i++) p.rpush(`queue:${i}`, ...Array.from({ length: (i + 1) * 5 }, (_, n) => String(n)));
    p.sadd('tags', 'a', 'b', 'c');
    p.zadd('board', 1, 'a', 2, 'b');
    p.xadd('events', '*', 'f', 'v');
    for (let i = 0; i < 40; i++) p.expire(`user:0:${i * 10}`, i < 20 ? 30 : 5000);
    p.set('session:temp', 'x', 'EX', 100_000);
    await p.exec();
    expected = await truth(plain);
    walker = await openRespClient(resolveRedisProfile({ name: 'analysis', host: '127.0.0.1', port: server.port }));
  });
  after(async () => {
    walker?.close();
    plain.disconnect();
    await server.dispose();
  });

  it('matches a plain client key by key: per-type keys and bytes, top keys by bytes, top per type by length, TTL buckets', async () => {
    const progress: number[] = [];
    const result = await analyzeKeyspace(walker, { top: 10, count: 100, onProgress: (p) => progress.push(p.scanned) });
    assert.equal(result.complete, true);
    assert.equal(result.scanned, expected.length);
    assert.ok(progress.length > 5, 'progress after each batch');
    assert.equal(progress[progress.length - 1], expected.length);
    const byType: KeyspaceAnalysis['byType'] = {};
    for (const t of expected) {
      const e = (byType[t.type] ??= { keys: 0, bytes: 0 });
      e.keys++;
      e.bytes += t.bytes;
    }
    assert.deepEqual(result.byType, byType);
    const bySize = [...expected].sort((a, b) => b.bytes - a.bytes);
    assert.deepEqual(
      result.topKeys.map((k) => k.bytes),
      bySize.slice(0, 10).map((t) => t.bytes),
    );
    for (const k of result.topKeys) {
      const t = expected.find((e) => e.key === k.key);
      assert.deepEqual(k, { key: t?.key, type: t?.type, bytes: t?.bytes, length: t?.length });
    }
    assert.deepEqual(
      result.topByLength.string.map((k) => k.key),
      [
        'user:9:999',
        'user:8:998',
        'user:7:997',
        'user:6:996',
        'user:5:995',
        'user:4:994',
        'user:3:993',
        'user:2:992',
        'user:1:991',
        'user:0:990',
      ],
    );
    assert.deepEqual(result.topByLength.hash[0], { key: 'cart:29', bytes: expected.find((e) => e.key === 'cart:29')?.bytes, length: 30 });
    assert.equal(result.topByLength.list[0].length, 100);
    assert.equal(result.topByLength.stream[0].length, 1);
    assert.equal(result.ttl.none, expected.filter((t) => t.ttl < 0).length);
    const buckets = Object.fromEntries(result.ttl.buckets.map((b) => [String(b.upToSeconds), b.keys]));
    assert.equal(buckets['60'], 20);
    assert.equal(buckets['3600'], 0);
    assert.equal(buckets['86400'], 20);
    assert.equal(buckets['604800'], 1);
    assert.equal(
      result.ttl.buckets.reduce((s, b) => s + b.keys, result.ttl.none),
      expected.length,
    );
  });

  it('sums memory by namespace prefix on the delimiter, as a tree, largest first; keys without one under ""', async () => {
    const result = await analyzeKeyspace(walker, { delimiter: ':' });
    const sum = (prefix: string): { keys: number; bytes: number } => {
      const keys = expected.filter((t) => t.key.startsWith(prefix));
      return { keys: keys.length, bytes: keys.reduce((s, t) => s + t.bytes, 0) };
    };
    const top = Object.fromEntries(result.byPrefix.map((p) => [text(p.prefix), p]));
    assert.deepEqual(Object.keys(top).sort(), ['', 'cart:', 'queue:', 'session:', 'user:']);
    for (const prefix of ['user:', 'cart:', 'queue:', 'session:']) {
      assert.deepEqual({ keys: top[prefix].keys, bytes: top[prefix].bytes }, sum(prefix), prefix);
    }
    const direct = expected.filter((t) => !t.key.includes(':'));
    assert.deepEqual({ keys: top[''].keys, bytes: top[''].bytes }, { keys: 3, bytes: direct.reduce((s, t) => s + t.bytes, 0) });
    assert.equal(result.byPrefix[0].prefix, 'user:', 'largest first');
    const users = top['user:'].children ?? [];
    assert.equal(users.length, 10);
    for (const child of users) assert.deepEqual({ keys: child.keys, bytes: child.bytes }, sum(text(child.prefix)));
    assert.ok(users.every((c, i) => i === 0 || users[i - 1].bytes >= c.bytes));
  });

  it('with MATCH analyses only the matching keys', async () => {
    const result = await analyzeKeyspace(walker, { match: 'cart:*' });
    assert.deepEqual(Object.keys(result.byType), ['hash']);
    assert.equal(result.scanned, 30);
    assert.equal(
      result.byType.hash.bytes,
      (await truth(plain, 'cart:*')).reduce((s, t) => s + t.bytes, 0),
    );
  });

  it('stops when the signal aborts: no further batch, the figures so far with complete false', async () => {
    const controller = new AbortController();
    let batches = 0;
    const result = await analyzeKeyspace(walker, {
      count: 50,
      signal: controller.signal,
      onProgress: () => {
        if (++batches === 2) controller.abort();
      },
    });
    assert.equal(result.complete, false);
    assert.equal(batches, 2);
    assert.ok(result.scanned > 0 && result.scanned < expected.length, String(result.scanned));
    assert.equal(
      Object.values(result.byType).reduce((s, t) => s + t.keys, 0),
      result.scanned,
    );
  });

  it('refuses a bad "top" before anything is sent', async () => {
    await assert.rejects(analyzeKeyspace(walker, { top: 0 }), InputError);
    await assert.rejects(analyzeKeyspace(walker, { top: 5000 }), /from 1 to 1000/);
  });

  it('keeps its tallies bounded: N items in a top list, and new namespaces past the node limit in an "other" bucket', () => {
    const top = new TopN<number>(3);
    for (const n of [5, 1, 9, 7, 3, 8]) top.offer(n, () => n);
    assert.deepEqual(top.sorted(), [9, 8, 7]);
    const tree = new PrefixTree(':', { depth: 2, maxNodes: 3 });
    for (const key of ['a:1:x', 'b:1', 'a:2:x', 'c:1', 'a:3:y:z']) tree.add(Buffer.from(key), 10);
    const result = tree.result();
    assert.deepEqual(
      result.map((p) => [p.prefix, p.keys, p.other ?? false]),
      [
        ['a:', 3, false],
        ['b:', 1, false],
        ['*', 1, true],
      ],
    );
    assert.deepEqual(
      result[0].children?.map((p) => [p.prefix, p.keys, p.other ?? false]),
      [
        ['a:1:', 1, false],
        ['a:*', 2, true],
      ],
    );
  });
});
