/**
 * A Redis Cluster behind a bastion: every node announces an address only
 * the bastion is meant to reach, and ioredis' `natMap` maps each one to a
 * per-node forward of the tunnel made on demand (TunnelNatMap). Against an
 * sshd and a 3 + 3 cluster of the test's own.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { parseNodeKey, TunnelNatMap } from '../../src/core/net/sshNatMap';
import { SshTunnels, type SshTunnel } from '../../src/core/net/sshTunnel';
import { RedisClusterTopology, RedisSentinelTopology } from '../topology/redisTopology';
import { OwnSshd, makeKeyPair, sshdAvailable } from '../topology/sshTopology';
import { waitFor } from './helpers/common';

/** What a connection to `endpoint` gets back for PING before it closes ('' when closed without a reply). */
function ping(endpoint: { host: string; port: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(endpoint, () => socket.write('PING\r\n'));
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.endsWith('\r\n')) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(got.trim()));
  });
}

describe('cluster and sentinel nodes through an SSH tunnel (natMap of per-node forwards; own sshd, cluster and sentinels)', function () {
  this.timeout(90_000);
  let dir: string;
  let sshd: OwnSshd;
  let cluster: RedisClusterTopology;
  let sentinel: RedisSentinelTopology;
  let tunnel: SshTunnel;
  const tunnels = new SshTunnels();

  before(async function () {
    if (!sshdAvailable()) throw new Error('sshd is not installed: apt-get install openssh-server (.ci/run does it)');
    dir = mkdtempSync(join(tmpdir(), 'be-ssh-nat-'));
    const key = makeKeyPair(dir, 'user');
    [sshd, cluster, sentinel] = await Promise.all([OwnSshd.start([key]), RedisClusterTopology.start(), RedisSentinelTopology.start()]);
    tunnel = tunnels.acquire(
      { host: '127.0.0.1', port: sshd.port, username: sshd.keyUser, privateKeyPath: key.privateKeyPath, hostKey: sshd.hostKeyFingerprint },
      { timeoutMs: 5_000, secrets: () => Promise.resolve({}) },
    );
    await tunnel.ready();
  });

  after(async function () {
    tunnel?.release();
    tunnels.dispose();
    await Promise.all([sshd?.stop(), cluster?.stop(), sentinel?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads node keys as ioredis writes them', function () {
    assert.deepEqual(parseNodeKey('10.0.0.5:6379'), { host: '10.0.0.5', port: 6379 });
    assert.deepEqual(parseNodeKey('[fe80::1]:7000'), { host: 'fe80::1', port: 7000 });
    assert.deepEqual(parseNodeKey('fe80::1:7000'), { host: 'fe80::1', port: 7000 });
    assert.equal(parseNodeKey('no-port'), undefined);
    assert.equal(parseNodeKey('host:99999'), undefined);
  });

  it('an ioredis Cluster behind the bastion reaches every node through its own forward and follows MOVED', async function () {
    const map = await TunnelNatMap.open(tunnel, [cluster.nodes[0]]);
    const seed = await map.forward(cluster.nodes[0]);
    const client = new Cluster([seed], { natMap: map.natMap, redisOptions: { connectTimeout: 5_000 } });
    try {
      const keys = Array.from({ length: 200 }, (_, i) => `nat:${i}`);
      for (const k of keys) await client.set(k, k);
      assert.deepEqual(await Promise.all(keys.map((k) => client.get(k))), keys);
      const announced = new Set(cluster.nodes.map((n) => `${n.host}:${n.port}`));
      const mapped = map.entries().map(([k]) => k);
      assert.ok(mapped.length >= 3 && mapped.every((k) => announced.has(k)), `forwards for ${mapped.join(', ')}`);
      const { primaries } = await cluster.roles();
      for (const p of primaries) assert.ok(mapped.includes(`${p.host}:${p.port}`), `primary ${p.port} has a forward`);
      const forwards = new Set(map.entries().map(([, e]) => e.port));
      for (const node of client.nodes('all')) assert.ok(forwards.has(Number(node.options.port)), `dialled ${node.options.port} directly`);

      // Point a key's slot at the wrong primary: that node answers MOVED with an announced address, which goes through natMap.
      const key = 'nat:moved';
      const slot = Number(await client.cluster('KEYSLOT', key));
      const owner = client.slots[slot][0];
      const wrong = client.nodes('master').find((n) => `${n.options.host}:${n.options.port}` !== owner);
      assert.ok(wrong);
      client.slots[slot] = [`${wrong.options.host}:${wrong.options.port}`];
      await client.set(key, 'moved');
      assert.equal(await client.get(key), 'moved');
      await client.del(key);
      for (const k of keys) await client.del(k);
    } finally {
      client.disconnect();
      map.close();
    }
  });

  it('a node seen first takes a spare at once; past the spares it maps to a listener that closes, never to the announced address', async function () {
    const map = await TunnelNatMap.open(tunnel, [], { spares: 1 });
    try {
      const [a, b] = cluster.nodes;
      const first = map.natMap(`${a.host}:${a.port}`);
      assert.ok(first);
      assert.notEqual(first.port, a.port);
      const second = map.natMap(`${b.host}:${b.port}`);
      assert.ok(second);
      assert.notEqual(second.port, b.port, 'not the announced address');
      assert.equal(map.natMap(`${first.host}:${first.port}`), null, 'an address that is already a forward stays as it is');
      assert.equal(await ping(first), '+PONG');
      assert.equal(await ping(second), '', 'the stand-in closes without a reply');
      const made = await waitFor('the forward of the second node', () => {
        const now = map.natMap(`${b.host}:${b.port}`);
        return now && now.port !== second.port ? now : undefined;
      });
      assert.equal(await ping(made), '+PONG');
      assert.equal(map.size, 2);
    } finally {
      map.close();
    }
  });

  it('a sentinel-managed primary behind the bastion: sentinels through their forwards, the primary they name through its own', async function () {
    const map = await TunnelNatMap.open(tunnel, sentinel.sentinels);
    const sentinels = await Promise.all(sentinel.sentinels.map((e) => map.forward(e)));
    const client = new Redis({ sentinels, name: sentinel.name, natMap: map.natMap, connectTimeout: 5_000, maxRetriesPerRequest: 1 });
    try {
      await client.set('nat:sentinel', 'through');
      assert.equal(await client.get('nat:sentinel'), 'through');
      const primary = await sentinel.currentPrimary();
      const forward = map.entries().find(([k]) => k === `${primary.host}:${primary.port}`)?.[1];
      assert.ok(forward, 'the primary the sentinels named got a forward');
      assert.equal(client.stream.remotePort, forward.port, 'the client dialled the forward, not the announced address');
    } finally {
      client.disconnect();
      map.close();
    }
  });
});
