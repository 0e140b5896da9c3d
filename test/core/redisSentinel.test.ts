import assert from 'node:assert/strict';
import { AuthError, ConnectionError } from '../../src/core/errors';
import type { Logger } from '../../src/core/logger';
import { resolveRedisProfile, type ResolvedRedisProfile } from '../../src/core/profiles';
import { connectRedis } from '../../src/core/redis/connection';
import { RedisPool } from '../../src/core/redis/pool';
import { publish, Subscription } from '../../src/core/redis/pubsub';
import { redisCli, RedisSentinelTopology } from '../topology/redisTopology';
import { sleep, waitFor } from './helpers/common';

function sentinelProfile(topology: RedisSentinelTopology, extra: Record<string, unknown> = {}): ResolvedRedisProfile {
  return resolveRedisProfile({
    name: 'test-sentinel',
    mode: 'sentinel',
    sentinels: topology.sentinels,
    sentinelName: topology.name,
    connectTimeoutMs: 3000,
    ...extra,
  });
}

/** A logger that keeps what it was told. */
function recordingLogger(lines: string[]): Logger {
  const keep = (m: string): void => void lines.push(m);
  return { trace: keep, debug: keep, info: keep, warn: keep, error: keep };
}

/** Resolves with `work`'s value, or undefined when it does not settle within `ms` (a rejection counts as no answer). */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  work.catch(() => undefined);
  return Promise.race([work.catch(() => undefined), sleep(ms).then(() => undefined)]);
}

describe('Redis Sentinel (1 primary, 1 replica, 3 sentinels of our own)', function () {
  this.timeout(120_000);
  let topology: RedisSentinelTopology;
  let pool: RedisPool;
  const logs: string[] = [];
  let sentinelPasswordAsked = 0;

  before(async () => {
    topology = await RedisSentinelTopology.start();
    const profile = sentinelProfile(topology);
    pool = new RedisPool(
      {
        profile: () => profile,
        password: () => Promise.resolve(undefined),
        sentinelPassword: () => {
          sentinelPasswordAsked++;
          return Promise.resolve(undefined);
        },
      },
      recordingLogger(logs),
    );
  });
  after(async () => {
    await pool?.dispose();
    await topology?.stop();
  });

  it('the pool reaches the primary the sentinels name; primaries() is that one connection', async () => {
    const client = await pool.get('test-sentinel');
    assert.equal(await client.set('s:k', 'v'), 'OK');
    assert.equal(await redisCli(['-p', String(topology.primary.port), 'GET', 's:k']), 'v\n');
    const primaries = await (await pool.session('test-sentinel')).primaries();
    assert.equal(primaries.length, 1);
    assert.match(await primaries[0].info('replication'), /role:master/);
    assert.equal(sentinelPasswordAsked, 1, 'the pool asked its source for the sentinel secret');
  });

  it('sentinels that do not answer give one sentence within connectTimeoutMs', async () => {
    const profile = resolveRedisProfile({
      name: 'no-sentinels',
      mode: 'sentinel',
      sentinels: [
        { host: '127.0.0.1', port: 1 },
        { host: '127.0.0.1', port: 2 },
      ],
      sentinelName: 'be-primary',
      connectTimeoutMs: 2000,
    });
    const started = Date.now();
    await assert.rejects(connectRedis(profile), (err: unknown) => {
      assert.ok(err instanceof ConnectionError, String(err));
      assert.match(err.message, /primary "be-primary" via sentinels 127\.0\.0\.1:1, 127\.0\.0\.1:2/);
      assert.match(err.message, /no sentinel answered, or none knows the primary/);
      return true;
    });
    assert.ok(Date.now() - started < 6000);
  });

  it('a primary name the sentinels do not know gives the same sentence', async () => {
    await assert.rejects(
      connectRedis(sentinelProfile(topology, { sentinelName: 'nobody' })),
      /primary "nobody" via sentinels.*none knows the primary/,
    );
  });

  it('after SENTINEL FAILOVER the pool and a running subscription go on on the new primary, and the log says so', async () => {
    const session = await pool.session('test-sentinel');
    const events: string[] = [];
    const sub = new Subscription(() => session.dedicated('subscribe'), { channels: ['s:news'] });
    sub.on('lost', (reason) => events.push(`lost: ${reason}`));
    sub.on('resubscribed', (server) => events.push(`resubscribed on ${server ?? '?'}`));
    await sub.start();
    try {
      const before = await topology.currentPrimary();
      const started = Date.now();
      await redisCli(['-p', String(topology.sentinels[0].port), 'SENTINEL', 'FAILOVER', topology.name]);
      const after = await waitFor(
        'the sentinels to name the replica',
        async () => {
          const now = await topology.currentPrimary();
          return now.port !== before.port ? now : undefined;
        },
        30_000,
        100,
      );
      // Each try is bounded: nothing may hang while the primary changes. A write the old primary took before it was
      // demoted is lost (Redis' own failover window), so the walk goes on until one lands on the new primary.
      let tries = 0;
      for (;;) {
        assert.ok(Date.now() - started < 30_000, 'a write reached the new primary within 30 s of the failover');
        const value = `after-${++tries}`;
        const answered = await within((async () => (await pool.get('test-sentinel')).set('s:k', value))(), 3000);
        if (answered === 'OK' && (await redisCli(['-p', String(after.port), 'GET', 's:k'])) === `${value}\n`) break;
        await sleep(50);
      }
      console.log(`      first write answered by the new primary ${Date.now() - started} ms after SENTINEL FAILOVER (${tries} tries)`);
      await waitFor('the subscription to subscribe again', () => events.some((e) => e.startsWith('resubscribed')), 30_000);
      assert.ok(events.includes(`resubscribed on 127.0.0.1:${after.port}`), `subscribed again on the new primary: ${events.join('; ')}`);
      await publish(session, 's:news', 'on the new primary');
      const got = await sub.read(1, 5000);
      assert.equal(got[0]?.message.toString(), 'on the new primary');
      await waitFor('the log line naming the new primary', () => logs.some((l) => l.includes(`now 127.0.0.1:${after.port}`)), 10_000);
    } finally {
      await sub.stop();
    }
  });

  // Last: it puts a password on the sentinels.
  it('the sentinel password is its own secret: without it one sentence, with it the primary is reached', async () => {
    for (const s of topology.sentinels)
      assert.equal(await redisCli(['-p', String(s.port), 'ACL', 'SETUSER', 'default', 'on', '>sentinel-secret']), 'OK\n');
    const profile = sentinelProfile(topology);
    await assert.rejects(connectRedis(profile), (err: unknown) => {
      assert.ok(err instanceof AuthError, String(err));
      assert.match(err.message, /the sentinels refused the login.*secret "sentinel"/);
      assert.doesNotMatch(err.message, /sentinel-secret/);
      return true;
    });
    const client = await connectRedis(profile, { sentinelPassword: 'sentinel-secret' });
    try {
      assert.equal(await client.ping(), 'PONG');
    } finally {
      client.disconnect();
    }
  });
});
