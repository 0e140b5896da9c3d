/**
 * Redis faults on a redis-server of the test's own (killed with SIGKILL and
 * started again on the same port): a key scan, the shared pool, a console
 * session and a subscription each say what happened in one sentence,
 * nothing hangs, and everything works again once the server is back.
 * Reconnect backoff is capped and logged.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { ConnectionError } from '../../src/core/errors';
import { resolveRedisProfile, type ResolvedRedisProfile } from '../../src/core/profiles';
import { MAX_RECONNECT_DELAY_MS, connectRedis } from '../../src/core/redis/connection';
import { scanKeysPage } from '../../src/core/redis/keyScanner';
import { RedisPool } from '../../src/core/redis/pool';
import { Subscription, type PubSubMessage } from '../../src/core/redis/pubsub';
import { openRespClient } from '../../src/core/redis/respClient';
import { splitArgs } from '../../src/core/redis/tokenizer';
import { waitFor } from './helpers/amqpBroker';
import { OwnRedis, RecordingLogger, sleep } from './helpers/ownServers';

/** One sentence: no line break, no stack, ends with a period. */
function assertSentence(message: string): void {
  assert.doesNotMatch(message, /\n|\s at /, message);
  assert.match(message, /\.$/, message);
}

/** How a promise ended, and when, without ever leaving a rejection unhandled. */
function track<T>(promise: Promise<T>): { settled: () => boolean; outcome: Promise<{ value?: T; error?: unknown; at: number }> } {
  let done = false;
  const outcome = promise.then(
    (value) => ({ value, at: Date.now() }),
    (error: unknown) => ({ error, at: Date.now() }),
  );
  void outcome.then(() => {
    done = true;
  });
  return { settled: () => done, outcome };
}

describe('reliability: Redis server killed and restarted (own redis-server)', function () {
  this.timeout(60_000);
  let server: OwnRedis;
  let profile: ResolvedRedisProfile;
  let admin: Redis;
  const where = (): RegExp => new RegExp(`Redis profile "own" \\(127\\.0\\.0\\.1:${server.port}\\)`);

  const newAdmin = (): Redis => {
    const r = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1, lazyConnect: false });
    r.on('error', () => undefined);
    return r;
  };

  before(async () => {
    server = await OwnRedis.start();
    profile = resolveRedisProfile({ name: 'own', host: '127.0.0.1', port: server.port, connectTimeoutMs: 1_500 });
  });
  beforeEach(async () => {
    if (!server.running) await server.start();
    admin = newAdmin();
    await admin.flushall();
  });
  afterEach(() => {
    admin.disconnect();
  });
  after(async () => {
    await server.dispose();
  });

  function newPool(logger = new RecordingLogger()): RedisPool {
    return new RedisPool({ profile: () => profile, password: () => Promise.resolve(undefined) }, logger);
  }

  it('a key scan cut by kill -9 rejects at once with a ConnectionError sentence; a retry fails fast while down and works after the restart', async () => {
    for (let start = 0; start < 100_000; start += 20_000) {
      const p = admin.pipeline();
      for (let i = start; i < start + 20_000; i++) p.set(`scan:${i}`, '1');
      await p.exec();
    }
    const pool = newPool();
    try {
      const client = await pool.get('own');
      // A rare MATCH with a tiny COUNT: thousands of SCAN round trips, so the page is still running at the kill.
      const scan = track(scanKeysPage(client, { match: 'no-such-key:*', count: 5, maxExamine: 10_000_000, limit: 10 }));
      await sleep(150);
      assert.equal(scan.settled(), false, 'the scan is still running when the server dies');
      const killedAt = Date.now();
      await server.kill();
      const { error, at } = await scan.outcome;
      const ms = at - killedAt;
      assert.ok(error instanceof ConnectionError, String(error));
      assert.match(error.message, where());
      assert.match(error.message, /connection .* was lost/);
      assertSentence(error.message);
      assert.ok(ms < 2_000, `rejected ${ms} ms after the kill`);

      // Retry while the server is still down: a clear sentence at once, not a wait.
      const retryAt = Date.now();
      await assert.rejects(
        pool.get('own').then((c) => scanKeysPage(c, { limit: 10 })),
        (err: unknown) => err instanceof ConnectionError && /refused/.test(err.message) && where().test(err.message),
      );
      assert.ok(Date.now() - retryAt < 1_000, `retry while down took ${Date.now() - retryAt} ms`);

      await server.start();
      admin.disconnect();
      admin = newAdmin();
      await admin.mset('again:1', 'a', 'again:2', 'b', 'other', 'c');
      const backAt = Date.now();
      const page = await scanKeysPage(await pool.get('own'), { match: 'again:*' });
      assert.deepEqual(page.keys.map((k) => k.key.toString()).sort(), ['again:1', 'again:2']);
      assert.equal(page.complete, true);
      assert.ok(Date.now() - backAt < 1_000, `retry after the restart took ${Date.now() - backAt} ms`);
      console.log(`      figure: scan rejected ${ms} ms after kill -9; retry after restart answered in ${Date.now() - backAt} ms`);
    } finally {
      await pool.dispose();
    }
  });

  it('the shared pool hands out a working connection right after a restart and leaves no stale one reconnecting', async () => {
    const pool = newPool();
    try {
      const before = await pool.get('own');
      await before.set('k', 'v1');
      await server.kill();
      await waitFor('the pooled connection to notice', () => before.status !== 'ready', 5_000, 10);
      // A command on the old connection while down fails with a sentence and never hangs.
      const down = Date.now();
      await assert.rejects(before.get('k'), (err: unknown) => err instanceof ConnectionError && where().test(err.message));
      assert.ok(Date.now() - down < MAX_RECONNECT_DELAY_MS + 1_000);
      await server.start();
      const backAt = Date.now();
      const after = await pool.get('own');
      assert.equal(await after.set('k', 'v2'), 'OK');
      assert.equal(await after.get('k'), 'v2');
      const took = Date.now() - backAt;
      assert.ok(took < 1_000, `first command after the restart took ${took} ms`);
      assert.equal(await pool.get('own'), after, 'the pool keeps the new connection');
      // Only one connection of ours on the server: the stale one stopped retrying.
      admin.disconnect();
      admin = newAdmin();
      await sleep(1_000);
      const list = String(await admin.client('LIST'));
      assert.equal(list.split('\n').filter((l) => / name=broker-explorer /.test(l)).length, 1, list);
      console.log(`      figure: pooled command after restart answered in ${took} ms`);
    } finally {
      await pool.dispose();
    }
  });

  it('a console session: the command in flight rejects with a sentence, and a new session works after the restart', async () => {
    const console1 = await openRespClient(profile);
    await console1.send(splitArgs('SET k v'));
    const pending = track(console1.send(splitArgs('BLPOP nothing 10')));
    await sleep(50);
    await server.kill();
    const { error } = await pending.outcome;
    assert.ok(error instanceof ConnectionError, String(error));
    assert.match(error.message, where());
    assertSentence(error.message);
    assert.equal(console1.connected, false);
    await assert.rejects(console1.send(splitArgs('PING')), ConnectionError);
    await server.start();
    const console2 = await openRespClient(profile);
    try {
      assert.deepEqual(await console2.send(splitArgs('PING')), { type: 'status', value: 'PONG' });
    } finally {
      console2.close();
    }
  });

  it('a subscription says lost, backs off with capped, logged delays, resubscribes after the restart and receives what is published then', async function () {
    this.timeout(40_000);
    const log = new RecordingLogger();
    const sunk: PubSubMessage[] = [];
    const events: { what: string; at: number }[] = [];
    const sub = new Subscription(() => connectRedis(profile, { connectionName: 'broker-explorer:subscribe', logger: log }), {
      channels: ['news'],
      patterns: ['alerts.*'],
      sink: (batch) => sunk.push(...batch),
    });
    sub.on('lost', (reason) => events.push({ what: `lost: ${reason}`, at: Date.now() }));
    sub.on('resubscribed', () => events.push({ what: 'resubscribed', at: Date.now() }));
    sub.on('ended', (reason) => events.push({ what: `ended: ${reason}`, at: Date.now() }));
    await sub.start();
    try {
      assert.equal(await admin.publish('news', 'before'), 1);
      await waitFor('the first message', () => sunk.length === 1, 5_000, 10);
      admin.disconnect();

      const lost = once(sub, 'lost');
      const killedAt = Date.now();
      await server.kill();
      await lost;
      assert.ok(Date.now() - killedAt < 1_000);
      // Stay down long enough for the backoff to reach its cap (200, 400, 800, 1600, 3200, then 5000 ms).
      await sleep(6_600);
      const attempts = log.matching(/reconnect attempt \d+ in \d+ ms/).map((l) => {
        const m = /reconnect attempt (\d+) in (\d+) ms/.exec(l.message) as RegExpExecArray;
        return { n: Number(m[1]), delay: Number(m[2]), at: l.at };
      });
      assert.ok(
        attempts.length >= 4 && attempts.length <= 7,
        `${attempts.length} reconnect attempts in 6.6 s: ${JSON.stringify(attempts)}`,
      );
      for (const a of attempts) assert.ok(a.delay <= MAX_RECONNECT_DELAY_MS, `delay ${a.delay} ms above the cap`);
      assert.equal(attempts[attempts.length - 1]?.delay, MAX_RECONNECT_DELAY_MS, 'the cap was reached');
      for (let i = 1; i < attempts.length; i++) {
        const prev = attempts[i - 1];
        const cur = attempts[i];
        assert.ok(cur.delay >= prev.delay, 'delays never shrink while down');
        assert.ok(
          cur.at - prev.at >= prev.delay * 0.9,
          `attempt ${cur.n} came ${cur.at - prev.at} ms after the one before, which announced ${prev.delay} ms`,
        );
      }
      assert.equal(sub.running, true, 'still running while the server is down');

      const back = once(sub, 'resubscribed');
      await server.start();
      const startedAt = Date.now();
      await back;
      const resubscribedMs = Date.now() - startedAt;
      assert.ok(resubscribedMs <= MAX_RECONNECT_DELAY_MS + 2_000, `resubscribed ${resubscribedMs} ms after the restart`);
      admin = newAdmin();
      assert.equal(await admin.publish('news', 'after'), 1);
      assert.equal(await admin.publish('alerts.disk', 'pattern after'), 1);
      await waitFor('the messages published after the restart', () => sunk.length === 3, 5_000, 10);
      assert.deepEqual(
        sunk.map((m) => [m.channel.toString(), m.pattern?.toString() ?? null, m.message.toString()]),
        [
          ['news', null, 'before'],
          ['news', null, 'after'],
          ['alerts.disk', 'alerts.*', 'pattern after'],
        ],
      );
      assert.deepEqual(
        events.map((e) => e.what.replace(/^lost: .*/, 'lost')),
        ['lost', 'resubscribed'],
      );
      assert.ok(log.matching(/ECONNREFUSED/).length >= 1, 'the refused attempts are in the log');
      console.log(
        `      figure: ${attempts.length} reconnect attempts in 6.6 s down (delays ${attempts.map((a) => a.delay).join(', ')} ms); resubscribed ${resubscribedMs} ms after the restart`,
      );
    } finally {
      await sub.stop();
    }
  });
});
