/**
 * The dashboards' samplers (issue 14 §3, issue 15's charts): Redis INFO
 * samples on a redis-server the test starts (so its counters move only with
 * the load the test makes), and RabbitMQ overview / node / queue samples on
 * the real broker, in a vhost of the test's own.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { ManagementClient } from '../../src/core/amqp/managementClient';
import { messageRates, rabbitSample, readQueueSample, readRabbitSample } from '../../src/core/amqp/overviewSeries';
import { RedisInfoReader, keysPerDb, redisSample } from '../../src/core/redis/infoSeries';
import { parseInfo } from '../../src/core/redis/serverInfo';
import { Sampler } from '../../src/core/sampler';
import { PASSWORD, TestVhost } from './helpers/amqpBroker';
import { mgmtOk } from './helpers/mgmt';
import { sleep, waitFor } from './helpers/common';
import { OwnRedis } from './helpers/ownServers';

const info = (stats: Record<string, number>, extra = ''): ReturnType<typeof parseInfo> =>
  parseInfo(
    `# Clients\r\nconnected_clients:3\r\nblocked_clients:1\r\n# Memory\r\nused_memory:1000\r\nmaxmemory:4000\r\n# Stats\r\n${Object.entries(
      stats,
    )
      .map(([k, v]) => `${k}:${v}`)
      .join('\r\n')}\r\n# Keyspace\r\ndb0:keys=12,expires=1,avg_ttl=5\r\ndb3:keys=7,expires=0,avg_ttl=0\r\n${extra}`,
  );

describe('Dashboard samples from INFO (parsing and rates)', () => {
  it('turns counter differences into rates per second and keeps the gauges as read', () => {
    const first = redisSample(
      info({
        total_commands_processed: 100,
        total_net_input_bytes: 1000,
        keyspace_hits: 10,
        keyspace_misses: 10,
        evicted_keys: 0,
        expired_keys: 5,
      }),
      10_000,
    );
    assert.equal(first.opsPerSec, null, 'no rate without a sample before');
    assert.equal(first.hitRatioTotal, 0.5);
    const second = redisSample(
      info({
        total_commands_processed: 300,
        total_net_input_bytes: 5000,
        keyspace_hits: 40,
        keyspace_misses: 20,
        evicted_keys: 8,
        expired_keys: 5,
      }),
      12_000,
      first,
    );
    assert.equal(second.opsPerSec, 100);
    assert.equal(second.netInPerSec, 2000);
    assert.equal(second.evictedPerSec, 4);
    assert.equal(second.expiredPerSec, 0);
    assert.equal(second.hitRatio, 0.75, '30 hits and 10 misses in between');
    assert.deepEqual([second.usedMemory, second.maxMemory, second.connectedClients, second.blockedClients], [1000, 4000, 3, 1]);
    assert.deepEqual(second.keysPerDb, { db0: 12, db3: 7 });
  });

  it('gives no rate across a counter reset (restart or CONFIG RESETSTAT) and no hit ratio without lookups', () => {
    const before = redisSample(info({ total_commands_processed: 500, keyspace_hits: 3, keyspace_misses: 1 }), 0);
    const after = redisSample(info({ total_commands_processed: 20, keyspace_hits: 3, keyspace_misses: 1 }), 1000, before);
    assert.equal(after.opsPerSec, null);
    assert.equal(after.hitRatio, null);
    assert.deepEqual(keysPerDb({ db0: 'keys=1,expires=0', other: 'keys=4' }), { db0: 1 });
  });
});

describe('Dashboard samplers on a redis-server of the test', function () {
  this.timeout(40_000);
  let server: OwnRedis;
  let plain: Redis;
  let reader: Redis;

  before(async () => {
    server = await OwnRedis.start();
    plain = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 });
    reader = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 });
  });
  after(async () => {
    plain.disconnect();
    reader.disconnect();
    await server.dispose();
  });

  it('counts the commands, hits and misses made between two samples, and matches INFO read right after', async () => {
    await plain.flushall();
    await plain.set('dash:hit', 'x');
    const r = new RedisInfoReader(reader);
    await r.read();
    const p = plain.pipeline();
    for (let i = 0; i < 300; i++) p.get('dash:hit');
    for (let i = 0; i < 100; i++) p.get('dash:missing');
    await p.exec();
    const s = await r.read();
    assert.equal(s.hitRatio, 0.75, 'INFO itself is not a keyspace lookup');
    const now = parseInfo(await plain.info());
    // The 400 GETs and the one INFO of the reader; at most our own INFO on top.
    const commands = s.counters.totalCommands - (Number(now.stats.total_commands_processed) - 1);
    assert.ok(Math.abs(commands) <= 1, `commands counted ${s.counters.totalCommands} vs INFO ${now.stats.total_commands_processed}`);
    assert.ok(s.opsPerSec !== null && s.opsPerSec > 0);
    assert.equal(s.connectedClients, Number(now.clients.connected_clients));
    assert.deepEqual(s.keysPerDb, { db0: 1 });
    assert.ok(Math.abs(s.usedMemory - Number(now.memory.used_memory)) < 64 * 1024, 'used memory within 64 KiB of INFO a moment later');
  });

  it('reports evictions per second against maxmemory, and expired keys per second', async () => {
    await plain.flushall();
    await plain.config('SET', 'maxmemory', String(4 * 1024 * 1024));
    await plain.config('SET', 'maxmemory-policy', 'allkeys-random');
    const r = new RedisInfoReader(reader);
    try {
      await r.read();
      const value = 'v'.repeat(1024);
      const p = plain.pipeline();
      for (let i = 0; i < 8000; i++) p.set(`dash:evict:${i}`, value);
      for (let i = 0; i < 500; i++) p.set(`dash:ttl:${i}`, '1', 'PX', 20);
      await p.exec();
      const s = await waitFor('evictions and expirations counted', async () => {
        await sleep(300);
        const x = await r.read();
        return x.counters.evictedKeys > 0 && x.counters.expiredKeys > 0 ? x : undefined; // some TTL keys are evicted before they expire
      });
      assert.equal(s.maxMemory, 4 * 1024 * 1024);
      assert.ok(s.usedMemory <= s.maxMemory * 1.1, `used ${s.usedMemory} stays near the limit`);
      await sleep(100);
      const all = await r.read();
      assert.equal(all.evictedPerSec, 0, 'nothing evicted since');
    } finally {
      await plain.config('SET', 'maxmemory', '0');
    }
    const again = new RedisInfoReader(reader);
    const a = await again.read();
    await plain.set('dash:x', '1');
    for (let i = 0; i < 300; i++) await plain.set(`dash:gone:${i}`, '1', 'PX', 10);
    await sleep(700);
    const b = await again.read();
    assert.ok(b.expiredPerSec !== null && b.expiredPerSec > 0, `expired/s ${String(b.expiredPerSec)}`);
    assert.ok(b.counters.expiredKeys - a.counters.expiredKeys >= 250);
  });

  it('polls at its interval into a bounded history, and stops reading when stopped', async () => {
    const r = new RedisInfoReader(reader);
    const sampler = new Sampler({ intervalMs: 250, windowMs: 1000, read: () => r.read() });
    const seen: number[] = [];
    sampler.on('sample', (s) => seen.push(s.t));
    sampler.start();
    await sleep(2100);
    sampler.stop();
    const reads = sampler.readCount;
    assert.ok(seen.length >= 6 && seen.length <= 10, `${seen.length} samples in 2.1 s at 250 ms`);
    assert.equal(sampler.history().length, 5, 'the window holds 1 s at 250 ms, plus one');
    assert.deepEqual(
      sampler.history().map((s) => s.t),
      seen.slice(-5),
    );
    await sleep(700);
    assert.equal(sampler.readCount, reads, 'no read after stop');
    sampler.start();
    await waitFor('a read after start', () => sampler.readCount > reads);
    sampler.dispose();
  });

  it('reports a failed read as one sentence and goes on polling', async () => {
    let n = 0;
    const sampler = new Sampler<number>({
      intervalMs: 250,
      read: () => (++n === 1 ? Promise.reject(new Error('Redis profile "x" is not reachable.')) : Promise.resolve(n)),
    });
    const errors: string[] = [];
    sampler.on('error', (e) => errors.push(e));
    sampler.start();
    await waitFor('two samples after the failure', () => sampler.history().length >= 2);
    sampler.dispose();
    assert.deepEqual(errors, ['Redis profile "x" is not reachable.']);
    assert.throws(() => new Sampler({ intervalMs: 10, read: () => Promise.resolve(1) }), /at least 250 ms/);
  });
});

describe('Dashboard samples from the RabbitMQ management API', function () {
  this.timeout(60_000);
  let vhost: TestVhost;
  let m: ManagementClient;

  before(async () => {
    vhost = await TestVhost.create('dash');
    m = new ManagementClient(vhost.profile(), PASSWORD);
  });
  after(async () => {
    m.dispose();
    await vhost.close();
  });

  it('reads the overview totals and every node with its memory and disk alarm thresholds', async () => {
    const s = await readRabbitSample(m);
    const nodes = (await mgmtOk('GET', '/api/nodes')).body as Record<string, unknown>[];
    assert.deepEqual(
      s.nodes.map((n) => [n.name, n.memoryLimit, n.diskFreeLimit]),
      nodes.map((n) => [n.name, n.mem_limit, n.disk_free_limit]),
    );
    for (const n of s.nodes) {
      assert.ok(n.running && n.memoryUsed > 0 && n.memoryUsed < n.memoryLimit && n.diskFree > 0, JSON.stringify(n));
    }
    // Bracketed by two direct reads: the broker is shared, its totals may move between them.
    const totals = async (): Promise<Record<string, number>> =>
      ((await mgmtOk('GET', '/api/overview')).body as { object_totals: Record<string, number> }).object_totals;
    const v = encodeURIComponent(vhost.name);
    await mgmtOk('PUT', `/api/queues/${v}/dash-q`, { durable: false });
    const low = await totals();
    const ours = await readRabbitSample(m);
    const high = await totals();
    for (const k of ['queues', 'connections', 'channels', 'consumers'] as const) {
      const lo = Math.min(low[k], high[k]);
      const hi = Math.max(low[k], high[k]);
      assert.ok(ours[k] >= lo && ours[k] <= hi, `${k}: ${ours[k]} not within ${lo}…${hi}`);
    }
    assert.ok(ours.queues >= 1);
  });

  it('parses rates from message_stats, with absent figures as 0', () => {
    assert.deepEqual(messageRates({ publish_details: { rate: 2.5 }, deliver_get_details: { rate: 1 }, ack: 3 }), {
      publish: 2.5,
      deliver: 1,
      ack: 0,
      redeliver: 0,
    });
    const s = rabbitSample({ queue_totals: {}, object_totals: { connections: 2 } }, [], 5);
    assert.deepEqual([s.ready, s.unacked, s.connections, s.nodes.length, s.t], [0, 0, 2, 0, 5]);
  });

  it("follows a queue's depth and publish rate as messages arrive, and says when the queue is missing", async () => {
    const ch = await (await vhost.raw('dash publisher')).createConfirmChannel();
    await ch.assertQueue('dash-depth', { durable: false });
    // The broker refreshes its statistics every 5 s: publish until a sample shows a publish rate, then stop and wait
    // until a sample shows the whole depth (the rate may have decayed to 0 by then, so the two are not asked of one sample).
    let sent = 0;
    await waitFor(
      'a publish rate',
      async () => {
        for (let i = 0; i < 50; i++) ch.sendToQueue('dash-depth', Buffer.from(`m${sent++}`));
        await ch.waitForConfirms();
        const x = await readQueueSample(m, vhost.name, 'dash-depth');
        return x.rates.publish > 0 ? x : undefined;
      },
      30_000,
      500,
    );
    const q = await waitFor(
      'the depth of every message sent',
      async () => {
        const x = await readQueueSample(m, vhost.name, 'dash-depth');
        return x.messages === sent ? x : undefined;
      },
      30_000,
      500,
    );
    assert.equal(q.ready, sent);
    assert.equal(q.unacked, 0);
    await assert.rejects(readQueueSample(m, vhost.name, 'dash-none'), /queue "dash-none"/);
  });
});
