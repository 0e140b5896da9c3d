/**
 * Tests that need a Redis server of their own: restarting it, counting the
 * SCAN calls it received, and refusing commands that would harm a shared one.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { Redis } from 'ioredis';
import { AuthError, CancelledError, ConnectionError, ReadOnlyError, TimeoutError } from '../../src/core/errors';
import { resolveRedisProfile, type ResolvedRedisProfile } from '../../src/core/profiles';
import { runCommand } from '../../src/core/redis/commandRunner';
import { connectRedis } from '../../src/core/redis/connection';
import { Subscription } from '../../src/core/redis/pubsub';
import { openRespClient } from '../../src/core/redis/respClient';
import { RedisSession } from '../../src/core/redis/session';
import { iterateKeys } from '../../src/core/redis/scanExport';
import { splitArgs } from '../../src/core/redis/tokenizer';
import { freePort, sleep } from './helpers/common';
import { OwnRedis } from './helpers/ownServers';

async function scanCalls(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  const m = /cmdstat_scan:calls=(\d+)/.exec(info);
  return m ? Number(m[1]) : 0;
}

describe('on a Redis server of the test’s own', function () {
  this.timeout(120_000);
  let server: OwnRedis;
  let profile: ResolvedRedisProfile;
  let admin: Redis;

  before(async () => {
    server = await OwnRedis.start();
    profile = resolveRedisProfile({ name: 'own', host: '127.0.0.1', port: server.port, db: 0 });
    admin = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 });
  });
  after(async () => {
    admin.disconnect();
    await server.dispose();
  });

  // REDIS_OPS_SCAN_KEYS=1000000 measures the figure on a million keys.
  const N = Number(process.env.REDIS_OPS_SCAN_KEYS ?? 200_000);
  describe(`with ${N.toLocaleString('en-US')} keys`, () => {
    before(async () => {
      for (let start = 0; start < N; start += 20_000) {
        const p = admin.pipeline();
        for (let i = start; i < start + 20_000; i++) p.set(`key:${i}`, '1');
        await p.exec();
      }
    });

    it('a scan cancelled half way sends no further SCAN', async () => {
      const client = await connectRedis(profile);
      try {
        await admin.config('RESETSTAT');
        const ac = new AbortController();
        let batches = 0;
        let keys = 0;
        await assert.rejects(
          (async () => {
            for await (const batch of iterateKeys(client, { count: 1000, signal: ac.signal })) {
              batches++;
              keys += batch.keys.length;
              if (keys >= N / 2) ac.abort();
            }
          })(),
          CancelledError,
        );
        const calls = await scanCalls(admin);
        assert.equal(calls, batches, 'one SCAN per batch, none after the cancel');
        assert.ok(calls < (N / 1000) * 0.75, `${calls} SCAN calls for half of ${N} keys`);
        await sleep(300);
        assert.equal(await scanCalls(admin), calls);
      } finally {
        client.disconnect();
      }
    });

    it('iterateKeys keeps up with a plain ioredis SCAN loop (figure)', async () => {
      const client = await connectRedis(profile);
      const plain = new Redis({ host: '127.0.0.1', port: server.port });
      try {
        const timeIt = async (walk: () => Promise<number>): Promise<{ keys: number; ms: number }> => {
          const t = performance.now();
          const keys = await walk();
          return { keys, ms: performance.now() - t };
        };
        const walkOurs = async (): Promise<number> => {
          let n = 0;
          for await (const batch of iterateKeys(client, { count: 1000 })) n += batch.keys.length;
          return n;
        };
        const walkPlain = async (): Promise<number> => {
          let n = 0;
          let cursor = '0';
          do {
            const [next, keys] = await plain.scanBuffer(cursor, 'COUNT', 1000);
            cursor = String(next);
            n += keys.length;
          } while (cursor !== '0');
          return n;
        };
        // Alternate and keep the faster of two runs each, so warm-up favours neither.
        const best = (a: { keys: number; ms: number }, b: { keys: number; ms: number }): { keys: number; ms: number } =>
          a.ms <= b.ms ? a : b;
        const loop1 = await timeIt(walkPlain);
        const ours1 = await timeIt(walkOurs);
        const loop = best(loop1, await timeIt(walkPlain));
        const ours = best(ours1, await timeIt(walkOurs));
        assert.ok(ours.keys >= N && loop.keys >= N);
        const rate = (r: { keys: number; ms: number }): number => Math.round(r.keys / (r.ms / 1000));
        console.log(
          `      figure: ${N} keys — iterateKeys ${rate(ours).toLocaleString('en-US')} keys/s, plain SCAN loop ${rate(loop).toLocaleString('en-US')} keys/s (ratio ${(rate(ours) / rate(loop)).toFixed(2)})`,
        );
        assert.ok(rate(ours) > rate(loop) * 0.5);
      } finally {
        client.disconnect();
        plain.disconnect();
      }
    });
  });

  it('a console connection logs in with a user and password, and says so in one sentence when it cannot', async () => {
    await admin.call('ACL', 'SETUSER', 'alice', 'on', '>s3cret', '~*', '&*', '+@all');
    const alice = resolveRedisProfile({ name: 'own-alice', host: '127.0.0.1', port: server.port, db: 3, username: 'alice' });
    const ok = await openRespClient(alice, { password: 's3cret' });
    assert.equal(ok.db, 3);
    assert.deepEqual(await ok.send(splitArgs('ACL WHOAMI')), { type: 'bulk', value: Buffer.from('alice') });
    ok.close();
    await assert.rejects(
      openRespClient(alice, { password: 'badpass-xyz' }),
      (e: Error) => e instanceof AuthError && !e.message.includes('badpass-xyz'),
    );
    await assert.rejects(ok.send(splitArgs('PING')), ConnectionError);
    await admin.call('ACL', 'DELUSER', 'alice');
  });

  it('a console connection fails fast on a closed port and within the timeout on a silent listener', async () => {
    const closed = resolveRedisProfile({ name: 'closed', host: '127.0.0.1', port: await freePort() });
    await assert.rejects(openRespClient(closed), (e: Error) => e instanceof ConnectionError && /refused/.test(e.message));
    const silent = net.createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const started = Date.now();
      await assert.rejects(
        openRespClient(resolveRedisProfile({ name: 'silent', host: '127.0.0.1', port, connectTimeoutMs: 300 })),
        TimeoutError,
      );
      assert.ok(Date.now() - started < 1500);
    } finally {
      silent.close();
    }
  });

  it('a read-only profile refuses FLUSHALL, SHUTDOWN, CONFIG REWRITE, SAVE and the like; the server stays as it was', async () => {
    const client = await openRespClient(profile);
    const ro = new RedisSession({ ...profile, name: 'own', readOnly: true });
    try {
      await admin.set('sentinel', 'kept');
      const before = await admin.dbsize();
      for (const text of [
        'FLUSHALL',
        'FLUSHALL ASYNC',
        'SHUTDOWN NOSAVE',
        'SHUTDOWN',
        'CONFIG REWRITE',
        'SAVE',
        'BGSAVE',
        'BGREWRITEAOF',
        'SWAPDB 0 1',
        'REPLICAOF 127.0.0.1 1',
        'FAILOVER',
        'DEBUG RELOAD',
        'MODULE LOAD /x.so',
      ]) {
        await assert.rejects(runCommand({ session: ro, client }, splitArgs(text)), ReadOnlyError, text);
      }
      assert.equal(await admin.ping(), 'PONG');
      assert.equal(await admin.dbsize(), before);
      assert.equal(await admin.get('sentinel'), 'kept');
      const role = (await admin.call('ROLE')) as unknown[];
      assert.equal(role[0], 'master');
    } finally {
      client.close();
      ro.close();
    }
  });

  it('a subscription resubscribes after the server is killed and started again on the same port', async () => {
    await admin.flushall();
    const events: string[] = [];
    const sub = new Subscription(() => connectRedis(profile, { connectionName: 'broker-explorer:subscribe' }), {
      channels: ['restart:ch'],
      patterns: ['restart:p.*'],
    });
    sub.on('lost', () => events.push('lost'));
    sub.on('resubscribed', () => events.push('resubscribed'));
    await sub.start();
    admin.disconnect();
    try {
      const lost = once(sub, 'lost');
      await server.kill();
      await lost;
      await sleep(300);
      const back = once(sub, 'resubscribed');
      await server.start();
      await back;
      assert.deepEqual(events, ['lost', 'resubscribed']);
      const publisher = new Redis({ host: '127.0.0.1', port: server.port });
      try {
        assert.equal(await publisher.publish('restart:ch', 'after'), 1);
        assert.equal(await publisher.publish('restart:p.x', 'pattern after'), 1);
      } finally {
        publisher.disconnect();
      }
      const messages = await sub.read(2, 5000);
      assert.deepEqual(
        messages.map((m) => m.message.toString()),
        ['after', 'pattern after'],
      );
      assert.equal(sub.running, true);
    } finally {
      await sub.stop();
      admin = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 });
    }
  });
});
