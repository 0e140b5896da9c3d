/**
 * Our RESP client on a real Redis Cluster (3 primaries + 3 replicas of the
 * test's own): commands go to the slot's primary, MOVED and ASK are
 * followed and reported, CROSSSLOT and keyless commands are refused before
 * anything is sent, `node: "all"` answers per primary, the nodes listing.
 */
import assert from 'node:assert/strict';
import { ClusterRouter } from '../../src/core/redis/clusterRouter';
import { openCommandChannel } from '../../src/core/redis/commandChannel';
import { flushEveryPrimary } from '../../src/core/redis/commandChannel';
import { runCommand, runCommandOnAll, runPipeline, runScript, type ScriptEntry } from '../../src/core/redis/commandRunner';
import { replyText, type RedisReply } from '../../src/core/redis/reply';
import { openRespClient } from '../../src/core/redis/respClient';
import { RedisSession } from '../../src/core/redis/session';
import type { Redirect } from '../../src/core/redis/slotMap';
import { keySlot } from '../../src/core/redis/hashSlot';
import { listNodes } from '../../src/core/redis/topologyNodes';
import { resolveRedisProfile, type ResolvedRedisProfile } from '../../src/core/profiles';
import { waitFor } from './helpers/common';
import { RedisClusterTopology, redisCli } from '../topology/redisTopology';

const b = (...words: string[]): Buffer[] => words.map((w) => Buffer.from(w));
const textOf = (r: RedisReply | undefined): string | undefined => (r ? replyText(r) : undefined);
const portOf = (address: string): string => address.split(':').pop() ?? '';

/** What a node holds for `key`, asked directly (no routing): a MOVED error where it does not own the slot. */
async function getOn(address: string, key: string): Promise<string> {
  return (await redisCli(['-p', portOf(address), 'GET', key])).trim();
}

describe('RESP client on a Redis Cluster: routing, redirects and refusals', function () {
  this.timeout(120_000);
  let topology: RedisClusterTopology;
  let profile: ResolvedRedisProfile;
  let session: RedisSession;
  let router: ClusterRouter;
  const redirects: Redirect[] = [];

  before(async () => {
    topology = await RedisClusterTopology.start();
    profile = resolveRedisProfile({ name: 'test-cluster', mode: 'cluster', nodes: topology.nodes });
    session = new RedisSession(profile);
    const channel = await openCommandChannel(session, 'test-router', { onRedirect: (r) => redirects.push(r) });
    assert.ok(channel instanceof ClusterRouter, 'a cluster profile gets a router');
    router = channel;
  });
  after(async () => {
    router?.close();
    session?.close();
    await topology?.stop();
  });
  beforeEach(() => (redirects.length = 0));

  /** The replica of a primary, from CLUSTER NODES (CLUSTER SLOTS leaves out replicas that have not synced yet). */
  async function replicaOf(primary: string): Promise<string> {
    const seed = await router.link(router.slots.primaries()[0]);
    const topo = await listNodes(seed);
    const replica = topo.nodes.find((n) => n.role === 'replica' && n.primary === primary);
    assert.ok(replica, `a replica of ${primary}`);
    return replica.address;
  }

  it('sends each command to the primary that serves its key slot', async () => {
    const keys = ['route:a', 'route:b', 'route:c', 'route:d', 'route:e', 'route:f'];
    const owners = new Set<string>();
    for (const key of keys) {
      assert.equal(textOf(await runCommand({ session, client: router }, b('SET', key, `v-${key}`))), 'OK');
      const owner = router.slots.nodeOf(keySlot(key));
      assert.ok(owner);
      owners.add(owner);
      assert.equal(await getOn(owner, key), `v-${key}`, `${key} lives on ${owner}`);
    }
    assert.ok(owners.size >= 2, 'the keys spread over more than one primary');
    assert.equal(redirects.length, 0, 'a fresh slot map needs no redirect');
  });

  it('follows a MOVED to the owning node and reports it', async () => {
    const key = 'moved:key';
    await runCommand({ session, client: router }, b('SET', key, 'here'));
    const slot = keySlot(key);
    const owner = router.slots.nodeOf(slot) as string;
    const wrong = router.slots.primaries().find((p) => p !== owner) as string;
    router.slots.assign(slot, wrong);
    const reply = await runCommand({ session, client: router }, b('GET', key));
    assert.equal(textOf(reply), 'here');
    assert.deepEqual(redirects, [{ kind: 'moved', slot, address: owner }]);
    assert.equal(router.slots.nodeOf(slot), owner, 'the map learnt the owner');
  });

  it('follows an ASK (with ASKING) during a slot migration', async () => {
    const key = 'ask:{m1}';
    const slot = keySlot(key);
    const source = router.slots.nodeOf(slot) as string;
    const target = router.slots.primaries().find((p) => p !== source) as string;
    const id = async (address: string): Promise<string> => (await redisCli(['-p', portOf(address), 'CLUSTER', 'MYID'])).trim();
    const [sourceId, targetId] = [await id(source), await id(target)];
    await redisCli(['-p', portOf(target), 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', sourceId]);
    await redisCli(['-p', portOf(source), 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', targetId]);
    try {
      // The key is not on the migrating source, so the source answers ASK and the target takes it after ASKING.
      assert.equal(textOf(await runCommand({ session, client: router }, b('SET', key, 'imported'))), 'OK');
      assert.deepEqual(redirects, [{ kind: 'ask', slot, address: target }]);
      const onTarget = await (await router.link(target)).sendMany([b('ASKING'), b('GET', key)]);
      assert.equal(textOf(onTarget[1]), 'imported', 'the key went to the importing node');
      assert.equal(router.slots.nodeOf(slot), source, 'an ASK does not change the map');
    } finally {
      await (await router.link(target)).sendMany([b('ASKING'), b('DEL', key)]);
      await redisCli(['-p', portOf(target), 'CLUSTER', 'SETSLOT', String(slot), 'STABLE']);
      await redisCli(['-p', portOf(source), 'CLUSTER', 'SETSLOT', String(slot), 'STABLE']);
    }
  });

  it('refuses a cross-slot multi-key command in a pipeline with the CROSSSLOT sentence, and runs nothing', async () => {
    const pipeline = [b('SET', 'xs:first', '1'), b('MSET', 'xs:a', '1', 'xs:b', '2')];
    assert.notEqual(keySlot('xs:a'), keySlot('xs:b'));
    await assert.rejects(runPipeline({ session, client: router }, pipeline), (err: Error) => {
      assert.match(err.message, /^Line 2: CROSSSLOT: MSET uses keys in different hash slots .*hash tag.*\{user:1\}.*Nothing was run\.$/);
      return true;
    });
    for (const key of ['xs:first', 'xs:a', 'xs:b'])
      assert.deepEqual(
        await runCommand({ session, client: router }, b('EXISTS', key)),
        { type: 'integer', value: 0n },
        `${key} was not set`,
      );
  });

  it('refuses a transaction across slots before MULTI, and runs one on a hash tag', async () => {
    await assert.rejects(
      runPipeline({ session, client: router }, [b('SET', 'tx:a', '1'), b('SET', 'tx:b', '2')], { transaction: true }),
      /CROSSSLOT: this transaction uses keys in different hash slots.*hash tag/,
    );
    assert.deepEqual(await runCommand({ session, client: router }, b('EXISTS', 'tx:a')), { type: 'integer', value: 0n });
    const ok = await runPipeline(
      { session, client: router },
      [b('SET', '{tx}:a', '1'), b('INCR', '{tx}:b'), b('MGET', '{tx}:a', '{tx}:b')],
      {
        transaction: true,
      },
    );
    assert.equal(ok.aborted, undefined);
    assert.equal(textOf(ok.replies[0]), 'OK');
    assert.deepEqual(ok.replies[2], {
      type: 'array',
      items: [
        { type: 'bulk', value: Buffer.from('1') },
        { type: 'bulk', value: Buffer.from('1') },
      ],
    });
  });

  it('a pipeline over many slots is grouped per node and answers in order', async () => {
    const n = 60;
    const sets = Array.from({ length: n }, (_, i) => b('SET', `pipe:${i}`, String(i)));
    const gets = Array.from({ length: n }, (_, i) => b('GET', `pipe:${i}`));
    const result = await runPipeline({ session, client: router }, [...sets, ...gets]);
    assert.equal(result.errors, 0);
    assert.deepEqual(
      result.replies.slice(n).map(textOf),
      Array.from({ length: n }, (_, i) => String(i)),
    );
  });

  it('refuses a keyless command without "node" with a sentence naming it; runs it on a node or on all', async () => {
    await assert.rejects(runCommand({ session, client: router }, b('DBSIZE')), (err: Error) => {
      assert.match(
        err.message,
        /^DBSIZE has no key to route by on Redis Cluster profile "test-cluster": give "node" as one node's "host:port" \(.+\) or "all"/,
      );
      return true;
    });
    const primaries = router.slots.primaries();
    assert.equal(primaries.length, 3);
    const one = await runCommand({ session, client: router }, b('ROLE'), { node: primaries[1] });
    assert.equal(one.type === 'array' ? textOf(one.items[0]) : undefined, 'master');
    const all = await runCommandOnAll({ session, client: router }, b('DBSIZE'));
    assert.deepEqual([...all.keys()], primaries);
    const total = [...all.values()].reduce((sum, r) => sum + (r.type === 'integer' ? Number(r.value) : NaN), 0);
    assert.ok(total >= 60, `every primary answered DBSIZE (sum ${total})`);
    await assert.rejects(
      runCommand({ session, client: router }, b('PING'), { node: '127.0.0.1:1' }),
      /"node" 127\.0\.0\.1:1 is not a node of Redis Cluster profile "test-cluster"/,
    );
  });

  it('lists the nodes: 3 primaries with their slots, 3 replicas with their primary, memory and key counts', async () => {
    const seed = await openRespClient(profile, { connectionName: 'test-nodes' });
    try {
      const topo = await listNodes(seed);
      assert.equal(topo.mode, 'cluster');
      const primaries = topo.nodes.filter((n) => n.role === 'primary');
      const replicas = topo.nodes.filter((n) => n.role === 'replica');
      assert.equal(primaries.length, 3);
      assert.equal(replicas.length, 3);
      const slots = primaries.flatMap((p) => p.slots ?? []).reduce((sum, [from, to]) => sum + to - from + 1, 0);
      assert.equal(slots, 16_384);
      for (const r of replicas)
        assert.ok(
          primaries.some((p) => p.address === r.primary),
          `${r.address} names its primary`,
        );
      for (const n of topo.nodes) {
        assert.equal(n.connected, true);
        assert.ok((n.usedMemory ?? 0) > 0, `${n.address} used memory`);
        assert.equal(typeof n.keys, 'number');
        assert.match(n.id ?? '', /^[0-9a-f]{40}$/);
      }
      assert.ok(primaries.reduce((s, p) => s + (p.keys ?? 0), 0) >= 60);
    } finally {
      seed.close();
    }
  });

  it('a streamed transaction stays on its slot across batches; a later line in another slot refuses it and nothing runs', async () => {
    const entries = (lines: string[][]): ScriptEntry[] => lines.map((argv, i) => ({ line: i + 1, argv: b(...argv) }));
    const same = await runScript(
      { session, client: router },
      entries([['SET', '{b}1', 'x'], ['PING'], ['SET', '{b}2', 'y'], ['MGET', '{b}1', '{b}2']]),
      {
        transaction: true,
        batchSize: 2,
      },
    );
    assert.equal(same.aborted, undefined);
    assert.deepEqual(
      same.results.map((r) => r.command),
      ['SET', 'PING', 'SET', 'MGET'],
    );
    assert.equal(textOf(same.results[1].reply), 'PONG', "a keyless line runs on the slot's node");
    await assert.rejects(
      runScript(
        { session, client: router },
        entries([
          ['SET', '{c}1', 'x'],
          ['SET', '{c}2', 'y'],
          ['SET', 'elsewhere', 'z'],
        ]),
        {
          transaction: true,
          batchSize: 2,
        },
      ),
      /^InputError: Line 3: CROSSSLOT: this transaction uses keys in different hash slots/,
    );
    assert.deepEqual(
      await runCommand({ session, client: router }, b('EXISTS', '{c}1', '{c}2')),
      { type: 'integer', value: 0n },
      'discarded',
    );
  });

  it('a read-only cluster profile refuses writes and FLUSHDB before anything is sent', async () => {
    const ro = new RedisSession(resolveRedisProfile({ name: 'test-cluster-ro', mode: 'cluster', nodes: topology.nodes, readOnly: true }));
    const channel = await openCommandChannel(ro, 'test-ro');
    try {
      await assert.rejects(runCommand({ session: ro, client: channel }, b('SET', 'ro:k', '1')), /read-only/);
      await assert.rejects(flushEveryPrimary(ro), /read-only/);
      assert.equal(textOf(await runCommand({ session: ro, client: channel }, b('GET', 'route:a'))), 'v-route:a', 'reads still work');
    } finally {
      channel.close();
      ro.close();
    }
    assert.deepEqual(await flushEveryPrimary(session), { flushed: router.slots.primaries() });
    const sizes = await runCommandOnAll({ session, client: router }, b('DBSIZE'));
    assert.deepEqual(
      [...sizes.values()],
      [0, 0, 0].map((n) => ({ type: 'integer', value: BigInt(n) })),
    );
  });

  it('after CLUSTER FAILOVER on a replica, the MOVED from the demoted primary is followed to the promoted one', async () => {
    const key = 'failover:{f1}';
    await runCommand({ session, client: router }, b('SET', key, 'kept'));
    const slot = keySlot(key);
    const oldPrimary = router.slots.nodeOf(slot) as string;
    const replica = await replicaOf(oldPrimary);
    const acked = await runCommand({ session, client: router }, b('WAIT', '1', '5000'), { node: oldPrimary });
    assert.deepEqual(acked, { type: 'integer', value: 1n }, `the replica ${replica} has the write`);
    await redisCli(['-p', portOf(replica), 'CLUSTER', 'FAILOVER']);
    await waitFor(
      'the replica to be promoted',
      async () => /^role:master/m.test(await redisCli(['-p', portOf(replica), 'INFO', 'replication'])),
      20_000,
      100,
    );
    await waitFor(
      'the old primary to know it',
      async () => /^role:slave/m.test(await redisCli(['-p', portOf(oldPrimary), 'INFO', 'replication'])),
      20_000,
      100,
    );
    redirects.length = 0;
    const got = await runCommand({ session, client: router }, b('GET', key));
    assert.equal(
      textOf(got),
      'kept',
      `${JSON.stringify(got)} ${JSON.stringify(redirects)} map ${router.slots.nodeOf(slot)} old ${oldPrimary} new ${replica}`,
    );
    assert.deepEqual(redirects, [{ kind: 'moved', slot, address: replica }]);
    assert.equal(textOf(await runCommand({ session, client: router }, b('SET', key, 'after'))), 'OK');
    assert.equal(redirects.length, 1, 'the map was read again: no second redirect');
  });

  it('when a primary dies, the next command goes to its promoted replica once the cluster failed over', async () => {
    const key = 'dead:{d1}';
    await runCommand({ session, client: router }, b('SET', key, 'survives'));
    const slot = keySlot(key);
    const victim = router.slots.nodeOf(slot) as string;
    const replica = await replicaOf(victim);
    const acked = await runCommand({ session, client: router }, b('WAIT', '1', '5000'), { node: victim });
    assert.deepEqual(acked, { type: 'integer', value: 1n }, `the replica ${replica} has the write`);
    const killedAt = Date.now();
    await redisCli(['-p', portOf(victim), 'SHUTDOWN', 'NOSAVE']).catch(() => '');
    const reply = await waitFor(
      'a command that answers after the failover',
      async () => {
        try {
          return await runCommand({ session, client: router }, b('GET', key));
        } catch {
          return undefined;
        }
      },
      30_000,
      200,
    );
    assert.equal(textOf(reply), 'survives');
    console.log(`      (primary lost → first answer from the promoted replica: ${Date.now() - killedAt} ms)`);
    assert.equal(router.slots.nodeOf(slot), replica, 'the map names the promoted replica');
  });
});
