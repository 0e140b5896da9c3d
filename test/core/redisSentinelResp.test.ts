/**
 * Our RESP client on a Sentinel-managed primary (one primary, one replica,
 * 3 sentinels of the test's own): it asks the sentinels for the current
 * primary and dials it; after SENTINEL FAILOVER the old connection is
 * closed and a new one goes to the new primary; the nodes listing.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { resolveRedisProfile, type ResolvedRedisProfile } from '../../src/core/profiles';
import { replyText } from '../../src/core/redis/reply';
import { openRespClient } from '../../src/core/redis/respClient';
import { sentinelPrimary } from '../../src/core/redis/sentinel';
import { listNodes } from '../../src/core/redis/topologyNodes';
import { endpoint } from '../../src/core/profiles';
import { waitFor } from './helpers/common';
import { RedisSentinelTopology, redisCli } from '../topology/redisTopology';

const b = (...words: string[]): Buffer[] => words.map((w) => Buffer.from(w));

describe('RESP client on a Sentinel profile: the current primary, before and after a failover', function () {
  this.timeout(120_000);
  let topology: RedisSentinelTopology;
  let profile: ResolvedRedisProfile;

  before(async () => {
    topology = await RedisSentinelTopology.start();
    profile = resolveRedisProfile({ name: 'test-sentinel', mode: 'sentinel', sentinels: topology.sentinels, sentinelName: topology.name });
  });
  after(async () => {
    await topology?.stop();
  });

  it('dials the primary the sentinels name, and writes there', async () => {
    const client = await openRespClient(profile, { connectionName: 'test-sentinel' });
    try {
      assert.equal(client.address, endpoint(topology.primary));
      assert.equal(replyText(await client.send(b('SET', 'sentinel:k', 'v1'))), 'OK');
    } finally {
      client.close();
    }
  });

  it('a wrong sentinelName is one sentence naming the field', async () => {
    const wrong = resolveRedisProfile({ name: 'test-sentinel', mode: 'sentinel', sentinels: topology.sentinels, sentinelName: 'nope' });
    await assert.rejects(openRespClient(wrong), /watch no primary named "nope": check "sentinelName"/);
  });

  it('lists the primary, its replica and the 3 sentinels', async () => {
    const client = await openRespClient(profile);
    try {
      const topo = await listNodes(client);
      assert.equal(topo.mode, 'sentinel');
      assert.deepEqual(
        topo.nodes.slice(0, 2).map((n) => [n.role, n.address]),
        [
          ['primary', endpoint(topology.primary)],
          ['replica', endpoint(topology.replica)],
        ],
      );
      const sentinels = topo.nodes.filter((n) => n.role === 'sentinel').map((n) => n.address);
      assert.deepEqual(sentinels.sort(), topology.sentinels.map(endpoint).sort());
      const [primary, replica] = topo.nodes;
      assert.equal(replica.primary, primary.address);
      assert.ok((primary.usedMemory ?? 0) > 0 && (replica.usedMemory ?? 0) > 0);
      assert.ok((primary.keys ?? 0) >= 1);
    } finally {
      client.close();
    }
  });

  it('after SENTINEL FAILOVER the old connection closes and a new one goes to the new primary', async () => {
    const before = await openRespClient(profile);
    const closed = once(before, 'close');
    const oldPrimary = before.address;
    await redisCli(['-p', String(topology.sentinels[0].port), 'SENTINEL', 'FAILOVER', topology.name]);
    const newPrimary = await waitFor(
      'the sentinels to name the new primary',
      async () => {
        const ep = await sentinelPrimary(profile, (s) => openRespClient(resolveRedisProfile({ name: 's', host: s.host, port: s.port })));
        return endpoint(ep) !== oldPrimary ? endpoint(ep) : undefined;
      },
      30_000,
      200,
    );
    await closed;
    assert.equal(before.connected, false, 'the old primary dropped its clients when it became a replica');
    const after = await openRespClient(profile);
    try {
      assert.equal(after.address, newPrimary);
      const role = await after.send(b('ROLE'));
      assert.equal(role.type === 'array' ? replyText(role.items[0]) : undefined, 'master');
      assert.equal(replyText(await after.send(b('GET', 'sentinel:k'))), 'v1', 'the data came along');
      assert.equal(replyText(await after.send(b('SET', 'sentinel:k', 'v2'))), 'OK');
    } finally {
      after.close();
    }
  });
});
