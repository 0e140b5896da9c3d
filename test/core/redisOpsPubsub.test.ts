import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { InputError, ReadOnlyError } from '../../src/core/errors';
import { connectRedis } from '../../src/core/redis/connection';
import { messageToJson, publish, Subscription, type PubSubMessage } from '../../src/core/redis/pubsub';
import { sleep } from './helpers/common';
import { RedisSession } from '../../src/core/redis/session';
import { localProfile, plainClient } from './helpers/redis';

const profile = localProfile(0);
const open = (): Promise<Redis> => connectRedis(profile, { connectionName: 'broker-explorer:subscribe' });
const prefix = `ops-test:${process.pid}:`;

async function publishMany(publisher: Redis, channel: string, count: number, batch = 1000): Promise<void> {
  for (let start = 0; start < count; start += batch) {
    const p = publisher.pipeline();
    for (let i = start; i < Math.min(count, start + batch); i++) p.publish(channel, String(i));
    await p.exec();
  }
}

describe('pub/sub (real Redis)', function () {
  this.timeout(60_000);
  let publisher: Redis;
  let session: RedisSession;
  const subs: Subscription[] = [];
  before(() => {
    publisher = plainClient(0);
    session = new RedisSession(profile);
  });
  afterEach(async () => {
    for (const s of subs.splice(0)) await s.stop();
  });
  after(() => {
    publisher.disconnect();
    session.close();
  });

  const subscription = (options: ConstructorParameters<typeof Subscription>[1]): Subscription => {
    const s = new Subscription(open, options);
    subs.push(s);
    return s;
  };

  it('start resolves once the server has confirmed the subscription', async () => {
    const channel = `${prefix}confirm`;
    const s = subscription({ channels: [channel] });
    await s.start();
    assert.deepEqual(await publisher.pubsub('NUMSUB', channel), [channel, 1]);
    assert.equal(await publish(session, channel, 'hello'), 1);
    const [m] = await s.read(1, 2000);
    assert.equal(m.message.toString(), 'hello');
    assert.equal(m.channel.toString(), channel);
    assert.equal(m.pattern, undefined);
    assert.ok(Math.abs(m.time - Date.now()) < 5000);
  });

  it('receives 10,000 messages in order with none lost, in batches to its sink', async () => {
    const channel = `${prefix}ordered`;
    const received: string[] = [];
    let batches = 0;
    const s = subscription({
      channels: [channel],
      sink: (batch) => {
        batches++;
        for (const m of batch) received.push(m.message.toString());
      },
    });
    await s.start();
    await publishMany(publisher, channel, 10_000);
    const deadline = Date.now() + 10_000;
    while (received.length < 10_000 && Date.now() < deadline) await sleep(20);
    assert.equal(received.length, 10_000);
    assert.ok(
      received.every((m, i) => m === String(i)),
      'in publish order',
    );
    assert.ok(batches < 10_000 / 5, `${batches} sink calls for 10,000 messages`);
    assert.equal(s.received, 10_000);
    assert.equal(s.dropped, 0);
    const first = await s.read(3);
    assert.deepEqual(
      first.map((m) => m.message.toString()),
      ['0', '1', '2'],
    );
  });

  it('a pattern subscription gives the pattern and the channel of each message', async () => {
    const s = subscription({ patterns: [`${prefix}orders.*`], channels: [`${prefix}plain`] });
    await s.start();
    assert.equal(await publish(session, `${prefix}orders.eu`, 'a'), 1);
    await publish(session, `${prefix}other`, 'ignored');
    await publish(session, `${prefix}plain`, 'b');
    const messages = await s.read(2, 2000);
    assert.deepEqual(
      messages.map((m) => messageToJson(m)).map(({ time: _t, ...rest }) => rest),
      [
        { channel: `${prefix}orders.eu`, pattern: `${prefix}orders.*`, message: 'a' },
        { channel: `${prefix}plain`, message: 'b' },
      ],
    );
  });

  it('binary channels and messages go through { hex } and come back as { hex }', async () => {
    const channel = { hex: `${Buffer.from(prefix).toString('hex')}ff00` };
    const s = subscription({ channels: [channel] });
    await s.start();
    assert.equal(await publish(session, channel, { hex: 'c0ffee' }), 1);
    const [m] = await s.read(1, 2000);
    assert.deepEqual(messageToJson(m).message, { hex: 'c0ffee' });
    assert.deepEqual(messageToJson(m).channel, channel);
  });

  it('keeps the last messages in a bounded ring buffer and counts what it dropped', async () => {
    const channel = `${prefix}ring`;
    const s = subscription({ channels: [channel], bufferSize: 100 });
    await s.start();
    await publishMany(publisher, channel, 250);
    // A waiting read takes new messages as they come (never dropping them): wait for all 250 to reach the ring first.
    const deadline = Date.now() + 5000;
    while (s.received < 250 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const messages = await s.read(100, 5000);
    assert.deepEqual(
      messages.map((m) => Number(m.message.toString())),
      Array.from({ length: 100 }, (_, i) => 150 + i),
    );
    assert.equal(s.dropped, 150);
    assert.equal(s.buffered, 0);
  });

  it('read waits for enough messages, or returns what it has at the timeout', async () => {
    const channel = `${prefix}wait`;
    const s = subscription({ channels: [channel] });
    await s.start();
    setTimeout(() => void publishMany(publisher, channel, 3), 100);
    const started = Date.now();
    assert.equal((await s.read(3, 5000)).length, 3);
    assert.ok(Date.now() - started < 3000);
    await publish(session, channel, 'one');
    const partial = await s.read(5, 300);
    assert.equal(partial.length, 1);
  });

  it('stop unsubscribes and closes the connection', async () => {
    const channel = `${prefix}stop`;
    const s = subscription({ channels: [channel] });
    await s.start();
    await s.stop();
    assert.equal(s.running, false);
    assert.deepEqual(await publisher.pubsub('NUMSUB', channel), [channel, 0]);
  });

  it('refuses a subscription without channels, and PUBLISH on a read-only profile', async () => {
    assert.throws(() => new Subscription(open, {}), InputError);
    await assert.rejects(publish(new RedisSession(localProfile(0, { name: 'prod', readOnly: true })), `${prefix}x`, 'm'), ReadOnlyError);
  });

  it('delivers 300,000 messages into a counting sink in order, none lost (rate printed as a figure)', async () => {
    const channel = `${prefix}rate`;
    const N = 300_000;
    let count = 0;
    let last = -1;
    let outOfOrder = 0;
    let firstAt = 0;
    let lastAt = 0;
    const s = subscription({
      channels: [channel],
      sink: (batch: PubSubMessage[]) => {
        if (count === 0) firstAt = performance.now();
        for (const m of batch) {
          const n = Number(m.message.toString('latin1'));
          if (n !== last + 1) outOfOrder++;
          last = n;
        }
        count += batch.length;
        lastAt = performance.now();
      },
    });
    await s.start();
    await publishMany(publisher, channel, N, 5000);
    const deadline = Date.now() + 30_000;
    while (count < N && Date.now() < deadline) await sleep(20);
    assert.equal(count, N);
    assert.equal(outOfOrder, 0);
    const rate = Math.round(N / ((lastAt - firstAt) / 1000));
    console.log(
      `      figure: one subscription took ${N} messages at ${rate.toLocaleString('en-US')} msg/s into a counting sink, none lost, in order`,
    );
    // The rate is a figure, not a pass mark: speed is measured by the bench (row 6) against a plain client.
  });
});
