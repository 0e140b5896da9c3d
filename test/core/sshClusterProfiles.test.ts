/**
 * Redis Cluster and Sentinel profiles behind an SSH bastion: the pool's
 * ioredis clients and our RESP router dial every node (seeds, sentinels,
 * and the nodes they announce) through forwards of the profile's tunnel.
 * Own sshd, own 3+3 cluster, own primary + replica + 3 sentinels.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadOnlyError } from '../../src/core/errors';
import { tunnelReach } from '../../src/core/net/reach';
import { SshTunnels } from '../../src/core/net/sshTunnel';
import { resolveRedisProfile, type ResolvedRedisProfile } from '../../src/core/profiles';
import { openCommandChannel } from '../../src/core/redis/commandChannel';
import { scanKeysPage } from '../../src/core/redis/keyScanner';
import { runOperation } from '../../src/core/redis/operations';
import { RedisPool } from '../../src/core/redis/pool';
import { isCluster } from '../../src/core/redis/redisClient';
import { replyText } from '../../src/core/redis/reply';
import { nodeProfile } from '../../src/core/redis/respClient';
import { RedisClusterTopology, RedisSentinelTopology } from '../topology/redisTopology';
import { OwnSshd, makeKeyPair, sshdAvailable, type KeyPair } from '../topology/sshTopology';

describe('Redis Cluster and Sentinel profiles behind an SSH bastion (own sshd and topologies)', function () {
  this.timeout(120_000);
  let dir: string;
  let key: KeyPair;
  let sshd: OwnSshd;
  let cluster: RedisClusterTopology;
  let sentinel: RedisSentinelTopology;
  const tunnels = new SshTunnels();
  let pool: RedisPool;
  const profiles = new Map<string, ResolvedRedisProfile>();

  before(async function () {
    if (!sshdAvailable()) throw new Error('sshd is not installed: apt-get install openssh-server (.ci/run does it)');
    dir = mkdtempSync(join(tmpdir(), 'be-ssh-cluster-'));
    key = makeKeyPair(dir, 'user');
    [sshd, cluster, sentinel] = await Promise.all([OwnSshd.start([key]), RedisClusterTopology.start(), RedisSentinelTopology.start()]);
    const ssh = {
      host: '127.0.0.1',
      port: sshd.port,
      username: sshd.keyUser,
      privateKeyPath: key.privateKeyPath,
      hostKey: sshd.hostKeyFingerprint,
    };
    for (const p of [
      resolveRedisProfile({ name: 'cluster-behind', mode: 'cluster', nodes: [cluster.nodes[0]], connectTimeoutMs: 5_000, ssh }),
      resolveRedisProfile({ name: 'read-only-behind', host: '127.0.0.1', port: 6379, db: 9, readOnly: true, connectTimeoutMs: 5_000, ssh }),
      resolveRedisProfile({
        name: 'sentinel-behind',
        mode: 'sentinel',
        sentinels: sentinel.sentinels,
        sentinelName: sentinel.name,
        connectTimeoutMs: 5_000,
        ssh,
      }),
    ])
      profiles.set(p.name, p);
    const reach = tunnelReach<ResolvedRedisProfile>({ tunnels, secrets: () => Promise.resolve({}) });
    pool = new RedisPool(
      {
        profile: (name) => {
          const p = profiles.get(name);
          if (!p) throw new Error(`no profile ${name}`);
          return p;
        },
        password: () => Promise.resolve(undefined),
      },
      undefined,
      reach,
    );
  });

  after(async function () {
    await pool?.dispose();
    tunnels.dispose();
    await Promise.all([sshd?.stop(), cluster?.stop(), sentinel?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('browses a cluster: every node the cluster announces is dialled through a forward, and a page holds every key', async () => {
    const session = await pool.session('cluster-behind');
    const client = await session.client();
    assert.ok(isCluster(client), 'a Cluster client');
    const keys = Array.from({ length: 300 }, (_, i) => `behind:${i}`);
    for (const k of keys) await client.set(k, k);
    const page = await scanKeysPage(client, { limit: 10_000, maxExamine: Number.MAX_SAFE_INTEGER });
    assert.equal(page.complete, true);
    assert.deepEqual(page.keys.map((k) => k.key.toString()).sort(), [...keys].sort());
    const real = new Set(cluster.nodes.map((n) => n.port));
    for (const node of client.nodes('all')) assert.ok(!real.has(Number(node.options.port)), `node ${node.options.port} dialled directly`);
    assert.ok(
      page.keys.every((k) => k.node !== undefined && k.slot !== undefined),
      'every key carries its slot and node',
    );
  });

  it("scanKeys' walker through the tunnel reports each key's node as the cluster announces it, not the local forward", async () => {
    const session = await pool.session('cluster-behind');
    const walker = await session.walker();
    const page = await scanKeysPage(walker, { match: 'behind:*', limit: 10_000, maxExamine: Number.MAX_SAFE_INTEGER });
    assert.equal(page.complete, true);
    assert.equal(page.keys.length, 300, 'the keys the test above wrote');
    const primaries = new Set((await cluster.roles()).primaries.map((p) => `${p.host}:${p.port}`));
    assert.ok(
      page.keys.every((k) => primaries.has(k.node ?? '')),
      'every key names an announced primary',
    );
    // Each node, asked directly (not through the tunnel), holds the keys the walk placed on it.
    for (const node of primaries) {
      const direct = new Redis({ port: Number(node.split(':')[1]), maxRetriesPerRequest: 1 });
      try {
        const mine = page.keys.filter((k) => k.node === node);
        const p = direct.pipeline();
        for (const k of mine) p.exists(k.key);
        const replies = (await p.exec()) ?? [];
        mine.forEach((k, i) => assert.deepEqual(replies[i], [null, 1], `${k.key.toString()} lives on ${node}`));
      } finally {
        direct.disconnect();
      }
    }
  });

  it('our RESP router runs keyed commands through the tunnel on the primaries of their slots, each node through its own forward', async () => {
    const session = await pool.session('cluster-behind');
    const real = new Set(cluster.nodes.map((n) => n.port));
    for (const node of cluster.nodes) {
      const via = nodeProfile(session.profile, node).via;
      assert.ok(via && !real.has(via.port), `node ${node.port} is dialled through a forward`);
    }
    const channel = await openCommandChannel(session, 'ssh-test');
    try {
      for (let i = 0; i < 30; i++) {
        const k = Buffer.from(`behind:router:${i}`);
        await channel.send([Buffer.from('SET'), k, Buffer.from(String(i))]);
        assert.equal(replyText(await channel.send([Buffer.from('GET'), k])), String(i));
        await channel.send([Buffer.from('DEL'), k]);
      }
    } finally {
      channel.close();
    }
  });

  it('reaches the primary the sentinels name through its own forward', async () => {
    const session = await pool.session('sentinel-behind');
    const client = await session.client();
    assert.ok(!isCluster(client));
    const primary = await sentinel.currentPrimary();
    assert.notEqual(Number(client.options.port), primary.port, 'the primary is dialled at a forward, not directly');
    await client.set('behind:sentinel', 'yes');
    assert.equal(await client.get('behind:sentinel'), 'yes');
    const info = await client.info('replication');
    assert.match(info, /role:master/);
  });

  it('a read-only profile stays read-only through the tunnel: reads answer, a write is refused before anything is sent', async () => {
    const session = await pool.session('read-only-behind');
    const client = await session.client();
    const key = `behind:ro:${process.pid}`;
    assert.equal(await runOperation(session, 'get', { key }), null);
    await assert.rejects(runOperation(session, 'set', { key, value: 'x' }), ReadOnlyError);
    assert.equal(await client.exists(key), 0, 'nothing was written');
  });
});
