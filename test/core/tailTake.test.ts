/**
 * `take: n` larger than the buffer: the first n messages, in order, none
 * lost; the ring (for `tails.read`) counts what it dropped since the last
 * read. For Redis pub/sub, AMQP exchange tails and queue consumers.
 */
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import type { AmqpSession } from '../../src/core/amqp/amqpSession';
import { startConsumer } from '../../src/core/amqp/consumer';
import { publish } from '../../src/core/amqp/publisher';
import { startTail } from '../../src/core/amqp/tail';
import { declareExchange, declareQueue } from '../../src/core/amqp/topology';
import { connectRedis } from '../../src/core/redis/connection';
import { Subscription } from '../../src/core/redis/pubsub';
import { TestVhost, waitFor } from './helpers/amqpBroker';
import { localProfile, plainClient } from './helpers/redis';

const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => String(from + i));

async function publishRedis(publisher: Redis, channel: string, from: number, to: number): Promise<void> {
  const p = publisher.pipeline();
  for (let i = from; i < to; i++) p.publish(channel, String(i));
  await p.exec();
}

describe('take larger than the tail buffer (real Redis and RabbitMQ)', function () {
  this.timeout(60_000);

  describe('Redis pub/sub', () => {
    const profile = localProfile(0);
    const open = (): Promise<Redis> => connectRedis(profile, { connectionName: 'broker-explorer:subscribe' });
    const channel = `tail-take:${process.pid}`;
    let publisher: Redis;
    const subs: Subscription[] = [];
    before(() => {
      publisher = plainClient(0);
    });
    afterEach(async () => {
      for (const s of subs.splice(0)) await s.stop();
    });
    after(() => publisher.disconnect());

    it('take 300 with a buffer of 50 returns the first 300 in order, and the ring counts its drops once per read', async () => {
      const dropping: number[] = [];
      const s = new Subscription(open, { channels: [channel], bufferSize: 50, take: 300 });
      subs.push(s);
      s.on('dropping', (capacity) => dropping.push(capacity));
      await s.start();
      await publishRedis(publisher, channel, 0, 380);
      const first = await s.takeFirst({ timeoutMs: 10_000 });
      assert.deepEqual(
        first.map((m) => m.message.toString()),
        range(0, 300),
      );
      await waitFor('every message', () => s.received === 380, 10_000);
      const batch = await s.readBatch(100, 0);
      assert.deepEqual(
        batch.messages.map((m) => m.message.toString()),
        range(330, 380),
      );
      assert.equal(batch.dropped, 30);
      assert.equal(s.dropped, 30);
      assert.deepEqual(dropping, [50], 'said once that the ring started dropping');
      await publishRedis(publisher, channel, 380, 390);
      await waitFor('ten more', () => s.received === 390, 10_000);
      const next = await s.readBatch(100, 0);
      assert.equal(next.messages.length, 10);
      assert.equal(next.dropped, 0, 'dropped counts since the last read');
    });

    it('a waiting read of more than the buffer holds keeps every message it waits for', async () => {
      const s = new Subscription(open, { channels: [`${channel}:read`], bufferSize: 50 });
      subs.push(s);
      await s.start();
      const reading = s.read(300, 10_000);
      await publishRedis(publisher, `${channel}:read`, 0, 300);
      assert.deepEqual(
        (await reading).map((m) => m.message.toString()),
        range(0, 300),
      );
      assert.equal(s.dropped, 0);
    });
  });

  describe('RabbitMQ', () => {
    let vh: TestVhost;
    let session: AmqpSession;
    const stoppers: { stop(): Promise<void> }[] = [];
    before(async () => {
      vh = await TestVhost.create('take');
      session = vh.session();
    });
    afterEach(async () => {
      await Promise.all(stoppers.splice(0).map((s) => s.stop()));
    });
    after(async () => {
      await vh.close();
    });

    async function publishAmqp(exchange: string, routingKey: string, from: number, to: number): Promise<void> {
      for (let i = from; i < to; i++) await publish(session, { exchange, routingKey, body: String(i) });
    }

    it('a tail with take 120 and a buffer of 20 returns the first 120 in order; the ring counts what it drops', async () => {
      await declareExchange(session, { name: 'take.fanout', type: 'fanout', durable: false });
      const tail = await startTail(session, { exchange: 'take.fanout', exchangeType: 'fanout' }, { bufferSize: 20, take: 120 });
      stoppers.push(tail);
      const dropping: number[] = [];
      tail.on('dropping', ({ capacity }) => dropping.push(capacity));
      await publishAmqp('take.fanout', '', 0, 150);
      const first = await tail.takeFirst({ timeoutMs: 10_000 });
      assert.deepEqual(
        first.map((m) => m.body),
        range(0, 120),
      );
      await waitFor('every message', () => tail.received === 150, 10_000);
      const batch = await tail.readBatch({ take: 100, timeoutMs: 0 });
      assert.deepEqual(
        batch.messages.map((m) => m.body),
        range(130, 150),
      );
      assert.equal(batch.dropped, 10);
      assert.deepEqual(dropping, [20]);
      assert.equal((await tail.readBatch()).dropped, 0);
    });

    it('a waiting tail read of more than the buffer holds keeps every message', async () => {
      await declareExchange(session, { name: 'take.read', type: 'fanout', durable: false });
      const tail = await startTail(session, { exchange: 'take.read', exchangeType: 'fanout' }, { bufferSize: 20 });
      stoppers.push(tail);
      const reading = tail.read({ take: 100, timeoutMs: 10_000 });
      await publishAmqp('take.read', '', 0, 100);
      assert.deepEqual(
        (await reading).map((m) => m.body),
        range(0, 100),
      );
    });

    it('a consumer with take 120 and a buffer of 20 returns the first 120 in order; the ring counts what it drops', async () => {
      await declareQueue(session, { name: 'take.work', durable: false });
      await publishAmqp('', 'take.work', 0, 150);
      const consumer = await startConsumer(session, { queue: 'take.work', prefetch: 50 }, { bufferSize: 20, take: 120 });
      stoppers.push(consumer);
      const first = await consumer.takeFirst({ timeoutMs: 10_000 });
      assert.deepEqual(
        first.map((m) => m.body),
        range(0, 120),
      );
      await waitFor('every message handled', () => consumer.stats.acked === 150, 10_000);
      const batch = await consumer.readBatch({ take: 100, timeoutMs: 0 });
      assert.deepEqual(
        batch.messages.map((m) => m.body),
        range(130, 150),
      );
      assert.equal(batch.dropped, 10);
    });
  });
});
