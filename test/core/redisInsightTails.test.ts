/**
 * MONITOR and keyspace notifications as tails (issue 14, part 2), on a
 * redis-server the test starts itself (notify-keyspace-events is changed
 * there, never on the shared server).
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { ReadOnlyError } from '../../src/core/errors';
import { resolveRedisProfile, type ResolvedRedisProfile } from '../../src/core/profiles';
import {
  enableKeyspaceEvents,
  keyspaceEventsOn,
  keyspacePattern,
  readNotificationSetting,
  restoreKeyspaceEvents,
  withKeyspaceEvents,
} from '../../src/core/redis/keyspaceNotifications';
import { MonitorTail, parseMonitorLine } from '../../src/core/redis/monitor';
import { Subscription } from '../../src/core/redis/pubsub';
import { RedisSession } from '../../src/core/redis/session';
import { oneServer } from '../../src/core/redis/redisClient';
import { OwnRedis } from './helpers/ownServers';

describe('MONITOR and keyspace notification tails (own redis-server)', function () {
  this.timeout(30_000);
  let server: OwnRedis;
  let plain: Redis;
  const profile = (extra: Record<string, unknown> = {}): ResolvedRedisProfile =>
    resolveRedisProfile({ name: 'insight', host: '127.0.0.1', port: server.port, ...extra });

  before(async () => {
    server = await OwnRedis.start();
    plain = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 });
  });
  after(async () => {
    plain.disconnect();
    await server.dispose();
  });

  it('parses MONITOR lines, Lua and unix sources included', () => {
    assert.deepEqual(parseMonitorLine('1700000000.123456 [3 127.0.0.1:50712] "set" "a b" "v"'), {
      time: 1700000000123,
      db: 3,
      source: '127.0.0.1:50712',
      command: '"set" "a b" "v"',
    });
    assert.equal(parseMonitorLine('1700000000.5 [0 lua] "get" "k"')?.source, 'lua');
    assert.equal(parseMonitorLine('OK'), undefined);
  });

  it('MONITOR on a read-only profile shows the commands other clients send, in order, until stopped', async () => {
    const session = new RedisSession(profile({ name: 'prod', readOnly: true }));
    const tail = new MonitorTail(() => session.resp('monitor'));
    try {
      await tail.start();
      const other = new Redis({ host: '127.0.0.1', port: server.port, db: 2 });
      await other.set('mon:a', 'one two');
      await other.get('mon:a');
      other.disconnect();
      const commands: string[] = [];
      const deadline = Date.now() + 5000;
      while (!commands.includes('"get" "mon:a"') && Date.now() < deadline) {
        const batch = await tail.readBatch(1, 1000);
        commands.push(...batch.messages.filter((l) => l.db === 2).map((l) => l.command));
      }
      assert.deepEqual(commands.slice(-2), ['"set" "mon:a" "one two"', '"get" "mon:a"']);
      assert.ok(tail.running);
    } finally {
      tail.stop();
      session.close();
    }
    assert.equal(tail.running, false);
  });

  it('turns keyspace events on only when off, delivers them, and restores the old value; read-only refuses the change', async () => {
    assert.equal(keyspaceEventsOn('KEA'), true);
    assert.equal(keyspaceEventsOn('Ex'), false);
    assert.equal(withKeyspaceEvents('Ex'), 'ExKA');
    await plain.config('SET', 'notify-keyspace-events', 'Ex');
    const readOnly = new RedisSession(profile({ name: 'prod', readOnly: true }));
    const session = new RedisSession(profile());
    try {
      await assert.rejects(enableKeyspaceEvents(readOnly, oneServer(await readOnly.client())), ReadOnlyError);
      assert.equal((await readNotificationSetting(plain)).value, 'xE');
      const setting = await enableKeyspaceEvents(session, oneServer(await session.client()));
      assert.equal(setting.changed, true);
      assert.equal(setting.previous, 'xE');
      assert.equal((await readNotificationSetting(plain)).on, true);
      const again = await enableKeyspaceEvents(session, oneServer(await session.client()));
      assert.equal(again.changed, false, 'already on: nothing to change or restore');
      const sub = new Subscription(() => session.dedicated('notify', 0), { patterns: [keyspacePattern(0, 'note:*')] });
      await sub.start();
      await plain.set('note:1', 'x');
      await plain.set('other', 'x');
      await plain.del('note:1');
      const events = await sub.read(2, 5000);
      await sub.stop();
      assert.deepEqual(
        events.map((e) => [e.channel.toString(), e.message.toString()]),
        [
          ['__keyspace@0__:note:1', 'set'],
          ['__keyspace@0__:note:1', 'del'],
        ],
      );
      await restoreKeyspaceEvents(oneServer(await session.client()), setting.previous);
      assert.equal((await readNotificationSetting(plain)).value, 'xE');
    } finally {
      readOnly.close();
      session.close();
    }
  });
});
