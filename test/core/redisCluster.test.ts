import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import { ConnectionError, InputError } from '../../src/core/errors';
import { resolveRedisProfile, type ResolvedRedisProfile } from '../../src/core/profiles';
import { connectCluster } from '../../src/core/redis/clusterConnection';
import { countKeys, deleteByPattern, deleteKeys, flushDb } from '../../src/core/redis/keyOps';
import { keyInfos, keyspaceCounts, scanKeysPage, type KeyInfo, type WalkClient } from '../../src/core/redis/keyScanner';
import { describeKey } from '../../src/core/redis/describeKey';
import { primaryKeyInfos } from '../../src/core/redis/keyBatch';
import { runOperation } from '../../src/core/redis/operations';
import { isCluster, nodeAddress, type RedisClient } from '../../src/core/redis/redisClient';
import { keySlot } from '../../src/core/redis/hashSlot';
import { exportKeys, iterateKeys } from '../../src/core/redis/scanExport';
import { RedisSession } from '../../src/core/redis/session';
import { saveStringCas } from '../../src/core/redis/stringOps';
import { scanValue } from '../../src/core/redis/valueScanner';
import { readValue } from '../../src/core/redis/values';
import { publish, Subscription } from '../../src/core/redis/pubsub';
import type { RedisReply } from '../../src/core/redis/reply';
import { formatReply } from '../../src/core/redis/replyFormat';
import { ShardSubscription } from '../../src/core/redis/shardSubscription';
import { redisCli, RedisClusterTopology } from '../topology/redisTopology';
import { waitFor } from './helpers/common';
import { seedKeys } from './helpers/redis';

const SEEDED = 6000;

function clusterProfile(topology: RedisClusterTopology, extra: Record<string, unknown> = {}): ResolvedRedisProfile {
  return resolveRedisProfile({ name: 'test-cluster', mode: 'cluster', nodes: topology.nodes, connectTimeoutMs: 5000, ...extra });
}

function asCluster(client: RedisClient): Cluster {
  if (!isCluster(client)) throw new Error('expected a Cluster client');
  return client;
}

/** The two connections a cluster walk runs on: ioredis' Cluster (tree, exports) and the session's RESP walker (scanKeys). */
const WALKERS = [
  { name: 'the Cluster', open: (session: RedisSession): Promise<WalkClient> => session.client() },
  { name: 'the RESP walker', open: (session: RedisSession): Promise<WalkClient> => session.walker() },
];

/** Every key of a walk page by page (limit and COUNT small, so the composite cursor is passed back many times). */
async function walkPages(client: WalkClient, options: { limit: number; count: number; match?: string }): Promise<KeyInfo[]> {
  const keys: KeyInfo[] = [];
  let cursor = '0';
  for (let page = 0; page < 10_000; page++) {
    const result = await scanKeysPage(client, { ...options, cursor });
    keys.push(...result.keys);
    if (result.complete) return keys;
    assert.match(result.cursor, /^cluster:/);
    cursor = result.cursor;
  }
  throw new Error('the walk did not end');
}

describe('Redis Cluster (3 primaries + 3 replicas of our own)', function () {
  this.timeout(120_000);
  let topology: RedisClusterTopology;
  let session: RedisSession;

  before(async () => {
    topology = await RedisClusterTopology.start();
    session = new RedisSession(clusterProfile(topology));
    await seedKeys(await session.client(), SEEDED, (i) => `walk:${i}`);
  });
  after(async () => {
    session?.close();
    await topology?.stop();
  });

  it('the session hands out a Cluster, and primaries() names the 3 primaries', async () => {
    const client = await session.client();
    assert.ok(isCluster(client));
    const primaries = (await session.primaries()).map(nodeAddress).sort();
    const expected = (await topology.roles()).primaries.map((p) => `${p.host}:${p.port}`).sort();
    assert.deepEqual(primaries, expected);
  });

  it('refuses a database other than 0 with a sentence', () => {
    assert.throws(
      () => new RedisSession(clusterProfile(topology), { db: 2 }),
      (err: unknown) => {
        assert.ok(err instanceof InputError);
        assert.match(err.message, /Redis Cluster, which has only database 0, not 2/);
        return true;
      },
    );
  });

  for (const walker of WALKERS) {
    it(`paging with the composite cursor returns every key of every primary exactly once (${walker.name})`, async () => {
      const keys = await walkPages(await walker.open(session), { limit: 200, count: 100, match: 'walk:*' });
      const names = keys.map((k) => k.key.toString());
      assert.equal(new Set(names).size, names.length, 'no key twice without a failover');
      assert.equal(names.length, SEEDED);
      const nodes = new Set(keys.map((k) => k.node));
      assert.equal(nodes.size, 3, 'keys came from all 3 primaries');
    });

    it(`a page reports type, TTL, slot and the owning node of each key (${walker.name})`, async () => {
      const client = asCluster(await session.client());
      await client.hset('info:{h}', 'f', 'v');
      await client.expire('info:{h}', 500);
      await client.rpush('info:list', 'a');
      const page = await scanKeysPage(await walker.open(session), { match: 'info:*', maxExamine: 1_000_000 });
      assert.equal(page.complete, true);
      const byName = new Map(page.keys.map((k) => [k.key.toString(), k]));
      const hash = byName.get('info:{h}');
      assert.equal(hash?.type, 'hash');
      assert.ok(hash.ttl > 400 && hash.ttl <= 500);
      assert.equal(byName.get('info:list')?.type, 'list');
      assert.equal(page.keys.length, 2);
      for (const k of page.keys) {
        assert.equal(k.slot, keySlot(k.key));
        assert.equal(k.node, client.slots[keySlot(k.key)][0]);
        const owner = client.nodes('master').find((n) => nodeAddress(n) === k.node);
        assert.equal(await owner?.exists(k.key), 1, `${k.key.toString()} lives on ${k.node ?? '?'}`);
      }
      await client.del('info:{h}');
      await client.del('info:list');
    });

    it(`a filtered page stops after about maxExamine keys summed over the primaries and says how far it got (${walker.name})`, async () => {
      const client = await walker.open(session);
      await (await session.client()).set('rare:one', '1');
      const first = await scanKeysPage(client, { match: 'rare:*', count: 500, maxExamine: 1500 });
      assert.equal(first.complete, false);
      assert.equal(first.scanned, 1500, 'one round of COUNT 500 on each of 3 primaries');
      let found = first.keys.map((k) => k.key.toString());
      let cursor = first.cursor;
      while (cursor !== '0') {
        const next = await scanKeysPage(client, { match: 'rare:*', count: 500, maxExamine: 1500, cursor });
        found = found.concat(next.keys.map((k) => k.key.toString()));
        cursor = next.cursor;
      }
      assert.deepEqual(found, ['rare:one']);
      await (await session.client()).del('rare:one');
    });

    it(`a cursor that is not a cluster cursor is refused before anything is sent (${walker.name})`, async () => {
      const client = await walker.open(session);
      await assert.rejects(scanKeysPage(client, { cursor: '1234' }), /is not a cluster cursor/);
      await assert.rejects(scanKeysPage(client, { cursor: 'cluster:bm90IGpzb24' }), /is not a cluster cursor/);
    });
  }

  it('INFO keyspace counts are summed over the primaries', async () => {
    const counts = await keyspaceCounts(await session.client());
    assert.equal(counts.get(0), SEEDED);
  });

  it('values and typed operations route by slot through the cluster', async () => {
    assert.equal(await runOperation(session, 'hset', { key: 'v:h', fields: { a: '1', b: '2' } }), 2);
    assert.equal(await runOperation(session, 'rpush', { key: 'v:l', values: ['x', 'y', 'z'] }), 3);
    assert.equal(await runOperation(session, 'sadd', { key: 'v:s', members: ['m1', 'm2'] }), 2);
    assert.deepEqual(await runOperation(session, 'set', { key: 'v:str', value: 'hello' }), { set: true });
    assert.equal(await runOperation(session, 'get', { key: 'v:str' }), 'hello');
    const client = await session.client();
    const read = await readValue(client, Buffer.from('v:l'));
    assert.equal(read.type, 'list');
    const page = await scanValue(client, Buffer.from('v:h'));
    assert.equal(page.items.length, 2);
    assert.deepEqual(await saveStringCas(session, Buffer.from('v:str'), Buffer.from('hello'), Buffer.from('bye')), { outcome: 'saved' });
    assert.equal(await client.get('v:str'), 'bye');
    assert.deepEqual(await deleteKeys(session, ['v:h', 'v:l', 'v:s', 'v:str']), { deleted: 4 });
  });

  it('describeKey, keyInfos over keys of several primaries and a blocking pop work on a cluster', async () => {
    const client = asCluster(await session.client());
    const names = ['d:a', 'd:b', 'd:c', 'd:d', 'd:e', 'd:f'];
    for (const n of names) await client.hset(n, 'f', 'v');
    assert.ok(new Set(names.map((n) => client.slots[keySlot(n)][0])).size > 1, 'the keys live on more than one primary');
    const infos = await keyInfos(
      client,
      names.map((n) => Buffer.from(n)),
    );
    assert.deepEqual(
      infos.map((i) => [i.key.toString(), i.type, i.node]),
      names.map((n) => [n, 'hash', client.slots[keySlot(n)][0]]),
    );
    // Asked on a primary that does not hold the key (as after a slot moved mid-walk): MOVED is followed through the cluster.
    const owner = client.slots[keySlot('d:a')][0];
    const other = client.nodes('master').find((n) => nodeAddress(n) !== owner);
    assert.ok(other);
    const [moved] = await primaryKeyInfos(client, other, nodeAddress(other), [Buffer.from('d:a')]);
    assert.deepEqual([moved.type, moved.ttl, moved.node], ['hash', -1, owner]);
    const d = await describeKey(client, Buffer.from('d:a'));
    assert.equal(d.type, 'hash');
    assert.equal(d.encoding, 'listpack');
    const pop = runOperation(session, 'blpop', { keys: ['bl:{q}'], timeout: 5 });
    await new Promise((r) => setTimeout(r, 200));
    await client.rpush('bl:{q}', 'job');
    assert.deepEqual(await pop, { key: 'bl:{q}', value: 'job' });
    await deleteKeys(session, names);
  });

  it('exports every key of every primary to a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'be-cluster-export-'));
    try {
      const path = join(dir, 'keys.jsonl');
      const result = await exportKeys(await session.client(), path, { match: 'walk:*', count: 500 });
      assert.equal(result.complete, true);
      assert.equal(result.rows, SEEDED);
      const lines = readFileSync(path, 'utf8').trim().split('\n');
      assert.equal(new Set(lines.map((l) => (JSON.parse(l) as { key: string }).key)).size, SEEDED);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deleting by pattern covers every primary, one UNLINK per slot (no CROSSSLOT)', async () => {
    const client = await session.client();
    await seedKeys(client, 3000, (i) => `del:${i}`);
    assert.deepEqual(await countKeys(session, 'del:*'), { count: 3000, scanned: (await countKeys(session, 'del:*')).scanned });
    const result = await deleteByPattern(session, 'del:*', { count: 500 });
    assert.equal(result.deleted, 3000);
    let left = 0;
    for await (const batch of iterateKeys(client, { match: 'del:*' })) left += batch.keys.length;
    assert.equal(left, 0);
  });

  it('flushDb refuses another database and a read-only profile, and empties every primary', async () => {
    await assert.rejects(flushDb(session, 3), /database 0, not 3: nothing was flushed/);
    const ro = new RedisSession(clusterProfile(topology, { readOnly: true }));
    try {
      await assert.rejects(flushDb(ro, 0), /read-only/i);
    } finally {
      ro.close();
    }
    assert.ok((await keyspaceCounts(await session.client())).get(0));
    await flushDb(session, 0, { async: false });
    assert.equal((await keyspaceCounts(await session.client())).get(0), undefined);
    for (const node of await session.primaries()) assert.equal(await node.dbsize(), 0);
  });

  it('a cluster whose seeds do not answer fails within connectTimeoutMs with one sentence naming the seeds', async () => {
    const profile = resolveRedisProfile({
      name: 'nowhere',
      mode: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 1 },
        { host: '127.0.0.1', port: 2 },
      ],
      connectTimeoutMs: 2000,
    });
    const started = Date.now();
    await assert.rejects(connectCluster(profile), (err: unknown) => {
      assert.ok(err instanceof ConnectionError, String(err));
      assert.match(err.message, /Redis Cluster profile "nowhere" \(seeds 127\.0\.0\.1:1, 127\.0\.0\.1:2\)/);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
    assert.ok(Date.now() - started < 6000);
  });

  it('SUBSCRIBE on a cluster receives what is published through any node (order across nodes is not kept)', async () => {
    const sub = new Subscription(() => session.dedicated('subscribe'), { channels: ['news'], take: 3 });
    await sub.start();
    try {
      for (const m of ['m1', 'm2', 'm3']) await publish(session, 'news', m);
      const got = await sub.takeFirst({ timeoutMs: 5000 });
      assert.deepEqual(got.map((m) => m.message.toString()).sort(), ['m1', 'm2', 'm3']);
    } finally {
      await sub.stop();
    }
  });

  it('SSUBSCRIBE on a cluster subscribes at the shard channel slot owner and receives SPUBLISH', async () => {
    const channel = Buffer.from('shard:{orders}');
    const pushes: RedisReply[] = [];
    const sub = new ShardSubscription({
      connect: () => session.respForSlotOf(channel, 'ssubscribe'),
      channels: [channel],
      onPush: (r) => pushes.push(r),
    });
    await sub.start();
    try {
      const client = asCluster(await session.client());
      const owner = client.nodes('master').find((n) => nodeAddress(n) === client.slots[keySlot(channel)][0]);
      assert.equal(await owner?.call('SPUBLISH', channel, 'sharded'), 1);
      await waitFor('the smessage', () => pushes.length === 2, 5000);
      assert.equal(formatReply(pushes[1]), '1) "smessage"\n2) "shard:{orders}"\n3) "sharded"');
    } finally {
      sub.stop();
    }
  });

  // Last: it changes the topology (a replica becomes a primary).
  it('a walk and a shard subscription continue through a CLUSTER FAILOVER mid-walk; every key is seen at least once', async () => {
    const client = asCluster(await session.client());
    await seedKeys(client, 20_000, (i) => `fo:${i}`);
    const channel = Buffer.from('shard:{fo}');
    const replica = await replicaOf(topology, client.slots[keySlot(channel)][0]);
    const pushes: RedisReply[] = [];
    let resubscribed = 0;
    const sub = new ShardSubscription({
      connect: () => session.respForSlotOf(channel, 'ssubscribe'),
      channels: [channel],
      onPush: (r) => pushes.push(r),
      retryMs: 100,
    });
    sub.on('resubscribed', () => resubscribed++);
    await sub.start();
    // Both walks (the Cluster's and the RESP walker's) page through the same failover, a page of each in turn.
    const walks = await Promise.all(
      WALKERS.map(async (w) => ({
        name: w.name,
        client: await w.open(session),
        seen: new Set<string>(),
        nodes: new Set<string>(),
        returned: 0,
        cursor: '0',
        complete: false,
      })),
    );
    let pages = 0;
    try {
      while (walks.some((w) => !w.complete)) {
        for (const w of walks.filter((x) => !x.complete)) {
          const page = await scanKeysPage(w.client, { match: 'fo:*', limit: 300, count: 100, cursor: w.cursor });
          w.returned += page.keys.length;
          for (const k of page.keys) {
            w.seen.add(k.key.toString());
            w.nodes.add(k.node ?? '');
          }
          w.complete = page.complete;
          w.cursor = page.cursor;
        }
        if (++pages === 3) {
          await redisCli(['-p', String(replica), 'CLUSTER', 'FAILOVER']);
          await waitFor(
            'the replica to become a primary',
            async () => /^master/.test(await redisCli(['-p', String(replica), 'ROLE'])),
            20_000,
            100,
          );
        }
      }
      assert.ok(pages > 3, 'the failover happened mid-walk');
      for (const w of walks) {
        for (let i = 0; i < 20_000; i++) assert.ok(w.seen.has(`fo:${i}`), `fo:${i} was seen by ${w.name}`);
        assert.ok(w.nodes.has(`127.0.0.1:${replica}`), `keys came from the promoted replica too (${w.name})`);
        assert.ok(w.returned > 20_000, `the failed-over shard restarted from 0 (${w.name}: ${w.returned} keys returned for 20,000)`);
      }
      await waitFor('the shard subscription to move to the new primary', () => resubscribed >= 1, 20_000);
      assert.equal(await redisCli(['-p', String(replica), 'SPUBLISH', channel.toString(), 'after failover']), '1\n');
      await waitFor('the smessage after the failover', () => pushes.some((r) => formatReply(r).includes('"after failover"')), 5000);
    } finally {
      sub.stop();
    }
  });

  // After the CLUSTER FAILOVER test: it kills a primary for good.
  it('a walk goes on when a primary crashes mid-walk (its replica promoted), and a write to its slots answers again', async () => {
    const client = asCluster(await session.client());
    await seedKeys(client, 20_000, (i) => `crash:${i}`);
    const victim = client.slots[keySlot('crash:{victim}')][0];
    const port = victim.split(':')[1];
    const pid = Number(/process_id:(\d+)/.exec(await redisCli(['-p', port, 'INFO', 'server']))?.[1]);
    const walks = await Promise.all(
      WALKERS.map(async (w) => ({ name: w.name, client: await w.open(session), seen: new Set<string>(), cursor: '0', complete: false })),
    );
    let pages = 0;
    let killedAt = 0;
    while (walks.some((w) => !w.complete)) {
      for (const w of walks.filter((x) => !x.complete)) {
        const page = await scanKeysPage(w.client, { match: 'crash:*', limit: 300, count: 100, cursor: w.cursor });
        for (const k of page.keys) w.seen.add(k.key.toString());
        w.complete = page.complete;
        w.cursor = page.cursor;
      }
      if (++pages === 3) {
        process.kill(pid, 'SIGKILL');
        killedAt = Date.now();
      }
    }
    assert.ok(killedAt > 0, 'the crash happened mid-walk');
    for (const w of walks) for (let i = 0; i < 20_000; i++) assert.ok(w.seen.has(`crash:${i}`), `crash:${i} was seen by ${w.name}`);
    console.log(`      both walks finished ${Date.now() - killedAt} ms after the crash`);
    assert.notEqual(client.slots[keySlot('crash:{victim}')][0], victim, 'the slots moved to the promoted replica');
    assert.equal(await client.set('crash:{victim}', 'after'), 'OK');
  });
});

/** The port of the replica of the primary at `primary` (host:port), from each replica's ROLE. */
async function replicaOf(topology: RedisClusterTopology, primary: string): Promise<number> {
  for (const r of (await topology.roles()).replicas) {
    const role = (await redisCli(['-p', String(r.port), 'ROLE'])).split('\n');
    if (`${role[1]}:${role[2]}` === primary) return r.port;
  }
  throw new Error(`no replica of ${primary}`);
}
