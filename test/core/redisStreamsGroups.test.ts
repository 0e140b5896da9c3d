import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { InputError, NotFoundError, PreconditionError, ReadOnlyError } from '../../src/core/errors';
import { RedisSession } from '../../src/core/redis/session';
import {
  ackEntries,
  claimEntries,
  createGroup,
  destroyGroup,
  listConsumers,
  listGroups,
  pendingEntries,
  pendingSummary,
  setGroupId,
} from '../../src/core/redis/streamGroups';
import { localProfile, useRedisSessionDb } from './helpers/redis';

const DB = 12;

async function seedStream(seed: Redis, key: string, n: number): Promise<void> {
  const p = seed.pipeline();
  for (let i = 1; i <= n; i++) p.xadd(key, `${i}-1`, 'i', String(i));
  await p.exec();
}

/** Reads `count` new entries as `consumer` with a plain client (they become pending for it). */
async function deliver(seed: Redis, key: string, group: string, consumer: string, count: number): Promise<string[]> {
  const reply = (await seed.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', key, '>')) as [string, [string, string[]][]][];
  return reply[0][1].map(([id]) => id);
}

describe('Redis streams: consumer groups (db 12)', function () {
  let seed: Redis;
  let session: RedisSession;
  useRedisSessionDb(DB, (sd, s) => {
    seed = sd;
    session = s;
  });

  it('creates a group (MKSTREAM on a missing key, from $ / 0 / an ID), lists it, moves it with SETID and destroys it', async () => {
    await createGroup(session, 'new', 'g', { mkStream: true });
    assert.equal(await seed.type('new'), 'stream');
    await seedStream(seed, 's', 5);
    await createGroup(session, 's', 'all', { from: '0' });
    await createGroup(session, 's', 'fresh');
    await createGroup(session, 's', 'mid', { from: '3-1' });
    const groups = await listGroups(session, 's');
    assert.deepEqual(
      groups.map((g) => [g.name, g.lastDeliveredId, g.consumers, g.pending]),
      [
        ['all', '0-0', 0, 0],
        ['fresh', '5-1', 0, 0],
        ['mid', '3-1', 0, 0],
      ],
    );
    assert.equal(groups[0].lag, 5);
    assert.equal(groups[2].lag ?? null, null, 'Redis cannot tell the lag of a group set to an arbitrary ID');
    await setGroupId(session, 's', 'all', '$');
    assert.equal((await listGroups(session, 's')).find((g) => g.name === 'all')?.lastDeliveredId, '5-1');
    await destroyGroup(session, 's', 'mid');
    assert.deepEqual(
      (await listGroups(session, 's')).map((g) => g.name),
      ['all', 'fresh'],
    );
  });

  it('says which group or stream is missing or taken, in one sentence', async () => {
    await seedStream(seed, 's', 1);
    await createGroup(session, 's', 'g');
    await assert.rejects(
      () => createGroup(session, 's', 'g'),
      (e: Error) => e instanceof PreconditionError && e.message === 'The stream "s" already has a consumer group "g": pick another name.',
    );
    await assert.rejects(
      () => createGroup(session, 'none', 'g'),
      (e: Error) =>
        e instanceof NotFoundError &&
        /^The stream "none" does not exist: add an entry first, or create the group with "mkStream"\.$/.test(e.message),
    );
    await assert.rejects(
      () => destroyGroup(session, 's', 'other'),
      /The stream "s" has no consumer group "other": nothing was destroyed\./,
    );
    await assert.rejects(() => pendingEntries(session, 's', 'other'), /The stream "s" has no consumer group "other"/);
    await assert.rejects(() => setGroupId(session, 's', 'g', 'soon'), InputError);
    await assert.rejects(() => createGroup(session, 's', ''), /Name the group/);
    await assert.rejects(() => claimEntries(session, 's', 'g', 'c', -1), /minimum idle time \("minIdleMs"\) must be a whole number/);
    await assert.rejects(() => ackEntries(session, 's', 'g', []), /at least one entry ID/);
  });

  it('the pending list (extended XPENDING) gives idle time and deliveries, per consumer and in pages', async () => {
    await seedStream(seed, 's', 6);
    await createGroup(session, 's', 'g', { from: '0' });
    await deliver(seed, 's', 'g', 'alice', 4);
    await deliver(seed, 's', 'g', 'bob', 2);
    await claimEntries(session, 's', 'g', 'alice', 0, { ids: ['5-1'] });
    const all = await pendingEntries(session, 's', 'g');
    assert.deepEqual(
      all.map((e) => [e.id, e.consumer, e.deliveries]),
      [
        ['1-1', 'alice', 1],
        ['2-1', 'alice', 1],
        ['3-1', 'alice', 1],
        ['4-1', 'alice', 1],
        ['5-1', 'alice', 2],
        ['6-1', 'bob', 1],
      ],
    );
    assert.ok(all.every((e) => Number.isInteger(e.idleMs) && e.idleMs >= 0 && e.idleMs < 60_000));
    assert.deepEqual(
      (await pendingEntries(session, 's', 'g', { consumer: 'bob' })).map((e) => e.id),
      ['6-1'],
    );
    const first = await pendingEntries(session, 's', 'g', { count: 4 });
    const next = await pendingEntries(session, 's', 'g', { count: 4, after: first[first.length - 1].id });
    assert.deepEqual(
      next.map((e) => e.id),
      ['5-1', '6-1'],
    );
    assert.deepEqual(await pendingEntries(session, 's', 'g', { minIdleMs: 3_600_000 }), []);
    assert.deepEqual(await pendingSummary(session, 's', 'g'), {
      count: 6,
      smallestId: '1-1',
      greatestId: '6-1',
      consumers: [
        { name: 'alice', pending: 5 },
        { name: 'bob', pending: 1 },
      ],
    });
    const consumers = await listConsumers(session, 's', 'g');
    assert.deepEqual(
      consumers.map((c) => [c.name, c.pending]),
      [
        ['alice', 5],
        ['bob', 1],
      ],
    );
    assert.equal(await ackEntries(session, 's', 'g', ['1-1', '2-1', '9-9']), 2);
    assert.equal((await pendingEntries(session, 's', 'g')).length, 4);
  });

  it('XAUTOCLAIM without IDs loops from 0-0 until the cursor comes back (250 entries, 3 rounds), or stops at a count', async () => {
    await seedStream(seed, 's', 250);
    await createGroup(session, 's', 'g', { from: '0' });
    await deliver(seed, 's', 'g', 'gone', 250);
    const some = await claimEntries(session, 's', 'g', 'b', 0, { count: 120 });
    assert.equal(some.claimed.length, 120);
    const rest = await claimEntries(session, 's', 'g', 'c', 0);
    assert.equal(rest.claimed.length, 250, 'the whole list, b’s included');
    assert.deepEqual(
      rest.claimed.map((e) => e.id),
      Array.from({ length: 250 }, (_, i) => `${i + 1}-1`),
    );
    assert.deepEqual(rest.claimed[0].fields, [{ field: 'i', value: '1' }]);
    const pending = await pendingEntries(session, 's', 'g', { count: 1000 });
    assert.ok(pending.every((e) => e.consumer === 'c'));
    await seed.xdel('s', '7-1', '8-1');
    const again = await claimEntries(session, 's', 'g', 'd', 0);
    assert.equal(again.claimed.length, 248);
    assert.deepEqual(again.deleted, ['7-1', '8-1']);
    const idle = await claimEntries(session, 's', 'g', 'e', 3_600_000);
    assert.deepEqual(idle, { claimed: [], deleted: [] }, 'nothing idle that long');
  });

  it('a read-only profile refuses group writes, claims and acks before anything is sent', async () => {
    const ro = new RedisSession(localProfile(DB, { readOnly: true }));
    try {
      await seedStream(seed, 's', 2);
      await seed.xgroup('CREATE', 's', 'g', '0');
      await deliver(seed, 's', 'g', 'a', 2);
      const writes: [string, () => Promise<unknown>][] = [
        ['XGROUP CREATE', () => createGroup(ro, 's', 'g2')],
        ['XGROUP DESTROY', () => destroyGroup(ro, 's', 'g')],
        ['XGROUP SETID', () => setGroupId(ro, 's', 'g', '0')],
        ['XACK', () => ackEntries(ro, 's', 'g', ['1-1'])],
        ['XCLAIM', () => claimEntries(ro, 's', 'g', 'b', 0, { ids: ['1-1'] })],
        ['XAUTOCLAIM', () => claimEntries(ro, 's', 'g', 'b', 0)],
      ];
      for (const [command, run] of writes)
        await assert.rejects(run, (e: Error) => e instanceof ReadOnlyError && e.message.includes(`so ${command} was refused`), command);
      const pending = await pendingEntries(ro, 's', 'g');
      assert.deepEqual(
        pending.map((e) => [e.id, e.consumer]),
        [
          ['1-1', 'a'],
          ['2-1', 'a'],
        ],
      );
      assert.equal((await listGroups(ro, 's')).length, 1);
    } finally {
      ro.close();
    }
  });
});
