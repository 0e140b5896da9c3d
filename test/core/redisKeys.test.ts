import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/core/redis/connection';
import { globMatch } from '../../src/core/redis/globMatch';
import { escapeGlob, groupByNamespace, keyspaceCounts, scanKeysPage } from '../../src/core/redis/keyScanner';
import { localProfile, seedKeys, useRedisDb } from './helpers/redis';

describe('key scanner (real Redis, db 1)', function () {
  this.timeout(120_000);
  const DB = 1;
  let seed: Redis;
  let client: Redis;
  useRedisDb(DB, connectRedis, (s, c) => ([seed, client] = [s, c]));

  it('pages through 100,000 keys yielding every key exactly once', async () => {
    const N = 100_000;
    await seedKeys(seed, N, (i) => `bulk:${i}`);
    const seen = new Set<string>();
    let cursor = '0';
    let pages = 0;
    let duplicates = 0;
    do {
      const page = await scanKeysPage(client, { cursor, limit: 500, count: 500, withInfo: false });
      for (const k of page.keys) {
        const s = k.key.toString();
        if (seen.has(s)) duplicates++;
        seen.add(s);
      }
      cursor = page.cursor;
      pages++;
    } while (cursor !== '0');
    assert.equal(duplicates, 0);
    assert.equal(seen.size, N);
    assert.ok(pages > 100, `expected many pages, got ${pages}`);
    const counts = await keyspaceCounts(client);
    assert.equal(counts.get(DB), N);
    await seed.flushdb();
  });

  it('groups by type with SCAN TYPE and reads TYPE and TTL in one pipeline', async () => {
    await seed.set('t:s', 'v', 'EX', 100);
    await seed.hset('t:h', 'f', 'v');
    await seed.rpush('t:l', 'a');
    await seed.sadd('t:set', 'a');
    await seed.zadd('t:z', 1, 'a');
    await seed.xadd('t:x', '*', 'f', 'v');
    for (const [type, key] of [
      ['string', 't:s'],
      ['hash', 't:h'],
      ['list', 't:l'],
      ['set', 't:set'],
      ['zset', 't:z'],
      ['stream', 't:x'],
    ]) {
      const page = await scanKeysPage(client, { type, limit: 100 });
      assert.deepEqual(
        page.keys.map((k) => k.key.toString()),
        [key],
        type,
      );
      assert.equal(page.keys[0].type, type);
    }
    const all = await scanKeysPage(client, { match: 't:*', limit: 100 });
    const s = all.keys.find((k) => k.key.toString() === 't:s');
    assert.equal(s?.type, 'string');
    assert.ok(s && s.ttl > 90 && s.ttl <= 100, `ttl ${s?.ttl}`);
    assert.equal(all.keys.find((k) => k.key.toString() === 't:h')?.ttl, -1);
    await seed.flushdb();
  });

  it('matches glob specials literally once escaped', async () => {
    const names = ['a*b', 'a?b', 'a[b]', 'a\\b', 'axb', 'a[b'];
    for (const n of names) await seed.set(n, '1');
    for (const n of names) {
      const page = await scanKeysPage(client, { match: escapeGlob(Buffer.from(n)), limit: 100 });
      assert.deepEqual(
        page.keys.map((k) => k.key.toString()),
        [n],
        `pattern for ${n}`,
      );
    }
    const star = await scanKeysPage(client, { match: 'a?b', limit: 100 });
    assert.deepEqual(star.keys.map((k) => k.key.toString()).sort(), ['a*b', 'a?b', 'a[b', 'a\\b', 'axb'].sort());
    await seed.flushdb();
  });

  it('round-trips keys with spaces, newlines, emoji, the empty name and non-UTF-8 bytes', async () => {
    const keys = [
      Buffer.from('a b'),
      Buffer.from('line\nbreak'),
      Buffer.from('emoji 🎉'),
      Buffer.from(''),
      Buffer.from([0xff, 0x00, 0xfe]),
      Buffer.alloc(4096, 0x6b),
    ];
    for (const k of keys) await seed.set(k, 'v');
    const page = await scanKeysPage(client, { limit: 100 });
    const got = page.keys.map((k) => k.key.toString('base64')).sort();
    const want = keys.map((k) => k.toString('base64')).sort();
    assert.equal(got.length, want.length, 'key count');
    assert.ok(
      got.every((g, i) => g === want[i]),
      'every key comes back byte for byte',
    );
    assert.ok(page.keys.every((k) => k.type === 'string'));
    await seed.flushdb();
  });

  it('a rare pattern examines a bounded number of keys per page and says how far it got', async () => {
    await seedKeys(seed, 50_000, (i) => `noise:${i}`);
    await seed.set('needle', '1');
    const page = await scanKeysPage(client, { match: 'needle*', limit: 10, count: 1000, maxExamine: 10_000 });
    assert.ok(page.scanned >= 10_000 && page.scanned < 12_000, `scanned ${page.scanned}`);
    let found = page.keys.length;
    let cursor = page.cursor;
    while (cursor !== '0') {
      const next = await scanKeysPage(client, { match: 'needle*', limit: 10, count: 1000, maxExamine: 10_000, cursor });
      found += next.keys.length;
      cursor = next.cursor;
    }
    assert.equal(found, 1);
    await seed.flushdb();
  });

  it('splits keys into namespace folders and leaves on bytes', () => {
    const info = (k: string | Buffer): { key: Buffer; type: string; ttl: number } => ({
      key: Buffer.isBuffer(k) ? k : Buffer.from(k),
      type: 'string',
      ttl: -1,
    });
    const keys = ['user:1', 'user:2', 'user:admin:1', 'order:9', 'plain', Buffer.from([0xff, 0x3a, 0x01])].map(info);
    const root = groupByNamespace(keys, Buffer.alloc(0), ':');
    assert.deepEqual([...root.folders.values()].map((f) => [f.segment.toString('hex'), f.count]).sort(), [
      [Buffer.from('order').toString('hex'), 1],
      [Buffer.from('user').toString('hex'), 3],
      ['ff', 1],
    ]);
    assert.deepEqual(
      root.leaves.map((l) => l.key.toString()),
      ['plain'],
    );
    const user = groupByNamespace(keys, Buffer.from('user:'), ':');
    assert.deepEqual(user.leaves.map((l) => l.key.toString()).sort(), ['user:1', 'user:2']);
    assert.deepEqual(
      [...user.folders.values()].map((f) => f.prefix.toString()),
      ['user:admin:'],
    );
  });

  it('matches globs the way Redis does', () => {
    const m = (p: string, s: string): boolean => globMatch(Buffer.from(p), Buffer.from(s));
    assert.ok(m('*', ''));
    assert.ok(m('user:*', 'user:1'));
    assert.ok(!m('user:*', 'order:1'));
    assert.ok(m('h?llo', 'hallo'));
    assert.ok(m('h[ae]llo', 'hello'));
    assert.ok(!m('h[^e]llo', 'hello'));
    assert.ok(m('h[a-b]llo', 'hbllo'));
    assert.ok(m('a\\*b', 'a*b'));
    assert.ok(!m('a\\*b', 'axb'));
  });
});

describe('Redis connections fail fast with one sentence', function () {
  this.timeout(30_000);
  it('a closed port is refused at once', async () => {
    const started = Date.now();
    await assert.rejects(
      connectRedis(localProfile(0, { port: 1 })),
      (err: Error) => /refused/.test(err.message) && /test-db0/.test(err.message),
    );
    assert.ok(Date.now() - started < 2000);
  });

  it('an unknown database is named', async () => {
    await assert.rejects(connectRedis(localProfile(999)), /no database 999/);
  });
});
