import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { InputError, NotFoundError, PreconditionError, ReadOnlyError } from '../../src/core/errors';
import { RedisSession } from '../../src/core/redis/session';
import { claimEntries, createGroup, pendingEntries } from '../../src/core/redis/streamGroups';
import { StreamReader, streamMessageToJson, type StreamMessage, type StreamReaderOptions } from '../../src/core/redis/streamReader';
import { sleep, waitFor } from './helpers/common';
import { localProfile, useRedisSessionDb } from './helpers/redis';

const DB = 12;

async function add(seed: Redis, key: string, from: number, to: number): Promise<void> {
  const p = seed.pipeline();
  for (let i = from; i <= to; i++) p.xadd(key, '*', 'n', String(i));
  await p.exec();
}

const numbers = (messages: readonly StreamMessage[]): number[] => messages.map((m) => Number(m.fields[1].toString()));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Kills the connection CLIENT LIST shows with this name; resolves with how many were killed. */
async function killByName(seed: Redis, name: string): Promise<number> {
  const list = String(await seed.client('LIST'));
  const ids = [...list.matchAll(/^id=(\d+) .*\bname=(\S*)/gm)].filter((m) => m[2] === name).map((m) => m[1]);
  for (const id of ids) await seed.client('KILL', 'ID', id);
  return ids.length;
}

describe('Redis streams: tails and group consumers (db 12)', function () {
  let seed: Redis;
  let session: RedisSession;
  const readers: StreamReader[] = [];
  useRedisSessionDb(DB, (sd, s) => {
    seed = sd;
    session = s;
  });
  afterEach(() => {
    for (const r of readers.splice(0)) r.stop();
  });

  function reader(options: StreamReaderOptions, on: RedisSession = session): StreamReader {
    const r = new StreamReader(on, { blockMs: 500, ...options });
    readers.push(r);
    return r;
  }

  it('from "$" sees only what is added after the start, in order, and take returns the first n', async () => {
    await add(seed, 's', 1, 5);
    const batches: number[][] = [];
    const r = reader({ key: 's', take: 10, sink: (b) => void batches.push(numbers(b)) });
    await r.start();
    await add(seed, 's', 6, 30);
    const first = await r.takeFirst({ timeoutMs: 10_000 });
    assert.deepEqual(numbers(first), range(6, 15));
    await waitFor('all 25 entries', () => r.received === 25);
    assert.deepEqual(batches.flat(), range(6, 30));
    assert.deepEqual(numbers((await r.readBatch(100)).messages), range(16, 30));
    const json = streamMessageToJson(first[0]);
    assert.equal(json.key, 's');
    assert.deepEqual(json.fields, [{ field: 'n', value: '6' }]);
    assert.match(json.id, /^\d+-\d+$/);
  });

  it('from an ID reads what follows it, then waits for new entries', async () => {
    await add(seed, 's', 1, 5);
    const third = (await seed.xrange('s', '-', '+'))[2][0];
    const r = reader({ key: 's', from: third, take: 3 });
    await r.start();
    await add(seed, 's', 6, 6);
    assert.deepEqual(numbers(await r.takeFirst({ timeoutMs: 10_000 })), [4, 5, 6]);
  });

  it('resumes from the last ID after its connection is killed (CLIENT KILL by name) and misses nothing added meanwhile', async () => {
    const purpose = `stream-tail-kill-${process.pid}`;
    const seen: number[] = [];
    const events: string[] = [];
    const r = reader({ key: 's', purpose, sink: (b) => void seen.push(...numbers(b)) });
    r.on('lost', () => events.push('lost'));
    r.on('resumed', () => events.push('resumed'));
    await r.start();
    await add(seed, 's', 1, 100);
    await waitFor('the first 100', () => seen.length === 100);
    for (let round = 0; round < 3; round++) {
      assert.equal(await killByName(seed, `broker-explorer:${purpose}`), 1, 'one connection of that name');
      await add(seed, 's', 101 + round * 200, 300 + round * 200);
      await waitFor(`round ${round + 1} resumed`, () => events.filter((e) => e === 'resumed').length === round + 1, 20_000);
    }
    await waitFor('all 700', () => seen.length >= 700, 20_000);
    await sleep(200);
    assert.deepEqual(seen, range(1, 700), 'every entry once, in order');
    assert.deepEqual(events, ['lost', 'resumed', 'lost', 'resumed', 'lost', 'resumed']);
    assert.equal(r.running, true);
  });

  it('a group consumer acknowledges each entry only after the sink resolved', async () => {
    await createGroup(session, 's', 'g', { mkStream: true });
    const pendingInSink: number[] = [];
    const r = reader({
      key: 's',
      group: 'g',
      consumer: 'c1',
      count: 10,
      sink: async (b) => {
        pendingInSink.push((await pendingEntries(session, 's', 'g', { count: 1000 })).filter((e) => b.some((m) => m.id === e.id)).length);
      },
    });
    await r.start();
    await add(seed, 's', 1, 35);
    await waitFor('35 acknowledged', () => r.acked === 35);
    assert.equal(
      pendingInSink.reduce((a, b) => a + b, 0),
      35,
      'each entry was still pending while the sink ran',
    );
    assert.deepEqual(await pendingEntries(session, 's', 'g'), []);
  });

  it('a consumer killed mid-batch leaves its entries pending; a second consumer claims them: 0 lost', async () => {
    await createGroup(session, 's', 'g', { mkStream: true });
    await add(seed, 's', 1, 50);
    const shownByA: number[] = [];
    let batchesA = 0;
    const purpose = `stream-group-a-${process.pid}`;
    const a = reader({
      key: 's',
      group: 'g',
      consumer: 'a',
      from: '>',
      count: 10,
      purpose,
      sink: (b) => {
        batchesA++;
        if (batchesA === 1) return void shownByA.push(...numbers(b));
        // The second batch never finishes being written out: the consumer dies with it in hand.
        return new Promise<void>(() => undefined);
      },
    });
    await a.start();
    await waitFor('A in its second batch', () => batchesA === 2);
    assert.equal(await killByName(seed, `broker-explorer:${purpose}`), 1);
    // The consumer is gone with its batch in hand (its process died): stopping it sends nothing more.
    a.stop();
    const pending = await pendingEntries(session, 's', 'g');
    assert.deepEqual(
      pending.map((e) => [e.consumer, e.deliveries]),
      Array.from({ length: 10 }, () => ['a', 1]),
      'the batch in hand stays pending for A',
    );
    const claimed = await claimEntries(session, 's', 'g', 'b', 0);
    const shownByB: number[] = claimed.claimed.map((e) => Number(e.fields[0].value));
    await session.client().then((c) => c.xack('s', 'g', ...claimed.claimed.map((e) => e.id)));
    const b = reader({ key: 's', group: 'g', consumer: 'b', sink: (batch) => void shownByB.push(...numbers(batch)) });
    await b.start();
    await waitFor('B read the rest', () => shownByA.length + shownByB.length >= 50);
    assert.deepEqual(
      [...shownByA, ...shownByB].sort((x, y) => x - y),
      range(1, 50),
      '0 lost, none twice',
    );
    await waitFor('nothing pending', async () => (await pendingEntries(session, 's', 'g')).length === 0);
  });

  it('from "0" reads the consumer’s pending history first, then new entries; without ack they stay pending', async () => {
    await createGroup(session, 's', 'g', { mkStream: true });
    await add(seed, 's', 1, 3);
    await seed.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 's', '>');
    const r = reader({ key: 's', group: 'g', consumer: 'c', from: '0', ack: false, take: 5 });
    await r.start();
    await add(seed, 's', 4, 5);
    assert.deepEqual(numbers(await r.takeFirst({ timeoutMs: 10_000 })), [1, 2, 3, 4, 5]);
    assert.equal((await pendingEntries(session, 's', 'g')).length, 5);
    assert.equal(r.acked, 0);
  });

  it('ends with one sentence when its group is destroyed while it reads', async () => {
    await createGroup(session, 's', 'g', { mkStream: true });
    const r = reader({ key: 's', group: 'g', consumer: 'c' });
    const ended = new Promise<string>((resolve) => r.on('ended', ({ reason }) => resolve(reason)));
    await r.start();
    await seed.xgroup('DESTROY', 's', 'g');
    await seed.xadd('s', '*', 'n', '1');
    assert.equal(
      await ended,
      'Redis refused the read: The stream "s" has no consumer group "g" (or the key does not exist): create the group first.',
    );
    assert.equal(r.running, false);
  });

  it('refuses a missing group, a key of another type, a bad start and a read-only group read, before reading', async () => {
    await add(seed, 's', 1, 1);
    await seed.set('str', 'x');
    await assert.rejects(() => reader({ key: 's', group: 'nope', consumer: 'c' }).start(), NotFoundError);
    await assert.rejects(() => reader({ key: 'str' }).start(), PreconditionError);
    assert.throws(() => reader({ key: 's', from: 'later' }), InputError);
    assert.throws(() => reader({ key: 's', ack: true }), /"ack" applies to a consumer group/);
    assert.throws(() => reader({ key: 's', group: 'g' }), /Name the consumer/);
    const ro = new RedisSession(localProfile(DB, { readOnly: true }));
    try {
      await assert.rejects(() => reader({ key: 's', group: 'g', consumer: 'c' }, ro).start(), ReadOnlyError);
      const plain = reader({ key: 's', from: '0', take: 1 }, ro);
      await plain.start();
      assert.equal((await plain.takeFirst({ timeoutMs: 5000 })).length, 1, 'XREAD is a read: allowed');
    } finally {
      ro.close();
    }
  });
});
