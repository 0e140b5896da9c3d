/**
 * The classic RabbitMQ tutorials 1–5 end to end, with the core on one side
 * and, where it matters, plain amqplib code on the other. (RPC, tutorial 6,
 * is in amqpRpc.test.ts.)
 */
import assert from 'node:assert/strict';
import type { ConsumeMessage } from 'amqplib';
import type { AmqpSession } from '../../src/core/amqp/amqpSession';
import { startConsumer, type QueueConsumer } from '../../src/core/amqp/consumer';
import type { AmqpMessage } from '../../src/core/amqp/messageProperties';
import { publish } from '../../src/core/amqp/publisher';
import { testRoute } from '../../src/core/amqp/routeTester';
import { startTail, type ExchangeTail } from '../../src/core/amqp/tail';
import { checkQueue, declareExchange, declareQueue } from '../../src/core/amqp/topology';
import { TestVhost, sleep, waitFor } from './helpers/amqpBroker';

/** A message body as text: a string as it is, bytes that are not UTF-8 as hex:…. */
function bodyText(body: AmqpMessage['body']): string {
  return typeof body === 'string' ? body : `hex:${body.hex}`;
}

function bodies(messages: readonly AmqpMessage[]): string[] {
  return messages.map((m) => bodyText(m.body));
}

describe('the six classic RabbitMQ patterns, 1–5 (real RabbitMQ)', () => {
  let vh: TestVhost;
  let session: AmqpSession;
  const stoppers: { stop(): Promise<void> }[] = [];

  before(async () => {
    vh = await TestVhost.create('tutorials');
    session = vh.session();
  });
  afterEach(async () => {
    await Promise.all(stoppers.splice(0).map((s) => s.stop()));
  });
  after(async () => {
    await vh.close();
  });

  it('1. hello world: publish to the default exchange → queue "hello", consumed on both sides', async () => {
    await declareQueue(session, { name: 'hello', durable: false });
    // core publishes, plain amqplib consumes
    assert.deepEqual(await publish(session, { exchange: '', routingKey: 'hello', body: 'Hello World!' }), {
      confirmed: true,
      routed: true,
    });
    const raw = await vh.raw();
    const ch = await raw.createChannel();
    const got = await new Promise<ConsumeMessage>((resolve) => {
      void ch.consume('hello', (msg) => msg && resolve(msg), { noAck: true });
    });
    assert.equal(got.content.toString(), 'Hello World!');
    await ch.close();
    // plain amqplib publishes, the core consumes
    const pub = await raw.createChannel();
    pub.sendToQueue('hello', Buffer.from('Hello from amqplib'));
    const consumer = await startConsumer(session, { queue: 'hello' });
    stoppers.push(consumer);
    const [msg] = await consumer.read({ take: 1, timeoutMs: 5_000 });
    assert.equal(msg?.body, 'Hello from amqplib');
    assert.equal(msg?.routingKey, 'hello');
    assert.equal(msg?.exchange, '');
    await pub.close();
  });

  it('2a. work queues: persistent messages are shared round-robin between two consumers with manual ack', async () => {
    await declareQueue(session, { name: 'task_queue', durable: true });
    const seenA: string[] = [];
    const seenB: string[] = [];
    const a = await startConsumer(session, { queue: 'task_queue' }, { sink: (m) => void seenA.push(bodyText(m.body)) });
    const b = await startConsumer(session, { queue: 'task_queue' }, { sink: (m) => void seenB.push(bodyText(m.body)) });
    stoppers.push(a, b);
    for (let i = 0; i < 10; i++) {
      await publish(session, { exchange: '', routingKey: 'task_queue', body: `task ${i}`, properties: { persistent: true } });
    }
    await waitFor('all ten handled', () => seenA.length + seenB.length === 10);
    const even = [0, 2, 4, 6, 8].map((i) => `task ${i}`);
    const odd = [1, 3, 5, 7, 9].map((i) => `task ${i}`);
    assert.deepEqual(
      [seenA, seenB].sort((x, y) => x[0].localeCompare(y[0])),
      [even, odd],
    );
    await waitFor('all acked', () => a.stats.acked + b.stats.acked === 10);
    assert.equal((await checkQueue(session, 'task_queue')).messageCount, 0);
    const [first] = await a.read({ take: 1 });
    assert.equal(first?.properties.deliveryMode, 2);
  });

  it('2b. work queues: with prefetch 1 a slow consumer holds no more than one message at a time (fair dispatch)', async () => {
    await declareQueue(session, { name: 'fair_queue', durable: true });
    let slowMaxUnacked = 0;
    const slowSeen: string[] = [];
    const fastSeen: string[] = [];
    const slow: QueueConsumer = await startConsumer(
      session,
      { queue: 'fair_queue', prefetch: 1 },
      {
        sink: async (m) => {
          slowSeen.push(bodyText(m.body));
          await sleep(400);
          slowMaxUnacked = Math.max(slowMaxUnacked, slow.stats.received - slow.stats.acked);
        },
      },
    );
    const fast = await startConsumer(session, { queue: 'fair_queue', prefetch: 1 }, { sink: (m) => void fastSeen.push(bodyText(m.body)) });
    stoppers.push(slow, fast);
    for (let i = 0; i < 10; i++)
      await publish(session, { exchange: '', routingKey: 'fair_queue', body: `job ${i}`, properties: { persistent: true } });
    await waitFor('all ten handled', () => slowSeen.length + fastSeen.length === 10 && slow.stats.acked + fast.stats.acked === 10);
    assert.equal(slowMaxUnacked, 1);
    assert.ok(slowSeen.length <= 2, `the slow consumer got ${slowSeen.length}`);
    assert.ok(fastSeen.length >= 8, `the fast consumer got ${fastSeen.length}`);
  });

  it('2c. work queues: a consumer stopped mid-work loses nothing: its unacked messages are redelivered to another', async () => {
    await declareQueue(session, { name: 'stop_queue', durable: true });
    for (let i = 0; i < 10; i++)
      await publish(session, { exchange: '', routingKey: 'stop_queue', body: `work ${i}`, properties: { persistent: true } });
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    const busy = await startConsumer(
      session,
      { queue: 'stop_queue', prefetch: 4 },
      {
        sink: async () => {
          started++;
          await stuck; // mid-work
        },
      },
    );
    await waitFor('the busy consumer to hold 4', () => busy.stats.received === 4 && started === 1);
    await busy.stop();
    release();
    assert.equal(busy.stats.acked, 0);
    assert.equal(busy.running, false);

    const done: AmqpMessage[] = [];
    const rescuer = await startConsumer(session, { queue: 'stop_queue' }, { sink: (m) => void done.push(m) });
    stoppers.push(rescuer);
    await waitFor('all ten rescued', () => done.length === 10 && rescuer.stats.acked === 10);
    assert.deepEqual(bodies(done).sort(), Array.from({ length: 10 }, (_, i) => `work ${i}`).sort());
    assert.equal(done.filter((m) => m.redelivered).length, 4);
    assert.equal((await checkQueue(session, 'stop_queue')).messageCount, 0);
  });

  it('3. publish/subscribe: fanout "logs" with two tails, both receive everything', async () => {
    await declareExchange(session, { name: 'logs', type: 'fanout', durable: false });
    const t1 = await startTail(session, { exchange: 'logs' });
    const t2 = await startTail(session, { exchange: 'logs' });
    stoppers.push(t1, t2);
    assert.match(t1.queue, /^amq\.gen-/);
    assert.notEqual(t1.queue, t2.queue);
    const raw = await vh.raw();
    const ch = await raw.createChannel();
    for (let i = 0; i < 5; i++) ch.publish('logs', '', Buffer.from(`log ${i}`));
    const expected = Array.from({ length: 5 }, (_, i) => `log ${i}`);
    assert.deepEqual(bodies(await t1.read({ take: 5, timeoutMs: 5_000 })), expected);
    assert.deepEqual(bodies(await t2.read({ take: 5, timeoutMs: 5_000 })), expected);
    await ch.close();
  });

  it('4. routing: direct "direct_logs", tails on error and on info warning error get exactly their severities', async () => {
    await declareExchange(session, { name: 'direct_logs', type: 'direct', durable: false });
    const errors = await startTail(session, { exchange: 'direct_logs', bindingKeys: ['error'] });
    const all = await startTail(session, { exchange: 'direct_logs', bindingKeys: ['info', 'warning', 'error'] });
    stoppers.push(errors, all);
    await assert.rejects(startTail(session, { exchange: 'direct_logs' }), /direct exchange: give the routing keys/);
    const sent = ['info', 'warning', 'error', 'debug', 'error', 'info'];
    for (const [i, severity] of sent.entries()) {
      await publish(session, { exchange: 'direct_logs', routingKey: severity, body: `${severity} ${i}` });
    }
    await publish(session, { exchange: 'direct_logs', routingKey: 'error', body: 'end' });
    const gotErrors = await errors.read({ take: 3, timeoutMs: 5_000 });
    const gotAll = await all.read({ take: 6, timeoutMs: 5_000 });
    assert.deepEqual(bodies(gotErrors), ['error 2', 'error 4', 'end']);
    assert.deepEqual(bodies(gotAll), ['info 0', 'warning 1', 'error 2', 'error 4', 'info 5', 'end']);
    assert.deepEqual(
      gotErrors.map((m) => m.routingKey),
      ['error', 'error', 'error'],
    );
  });

  it('5. topics: "topic_logs" with tails on *.orange.*, on *.*.rabbit + lazy.#, and on #; the route tester agrees', async () => {
    await declareExchange(session, { name: 'topic_logs', type: 'topic', durable: false });
    const A = await startTail(session, { exchange: 'topic_logs', bindingKeys: ['*.orange.*'] });
    const B = await startTail(session, { exchange: 'topic_logs', bindingKeys: ['*.*.rabbit', 'lazy.#'] });
    const C = await startTail(session, { exchange: 'topic_logs', bindingKeys: ['#'] });
    stoppers.push(A, B, C);
    const expectations: [string, string[]][] = [
      ['quick.orange.rabbit', ['A', 'B']],
      ['lazy.orange.elephant', ['A', 'B']],
      ['quick.orange.fox', ['A']],
      ['lazy.brown.fox', ['B']],
      ['lazy.pink.rabbit', ['B']],
      ['lazy.orange.male.rabbit', ['B']],
      ['lazy', ['B']],
      ['quick.brown.fox', []],
      ['quick.orange.male.rabbit', []],
      ['orange', []],
    ];
    for (const [key] of expectations) await publish(session, { exchange: 'topic_logs', routingKey: key, body: key });
    // A sentinel every tail takes: once it has arrived, everything before it has.
    await publish(session, { exchange: 'topic_logs', routingKey: 'end.orange.rabbit', body: 'end' });
    const received = new Map<string, string[]>();
    for (const [name, tail] of [
      ['A', A],
      ['B', B],
      ['C', C],
    ] as [string, ExchangeTail][]) {
      const got: AmqpMessage[] = [];
      await waitFor(`the sentinel on ${name}`, async () => {
        got.push(...(await tail.read()));
        return got.some((m) => m.body === 'end');
      });
      received.set(
        name,
        bodies(got).filter((b) => b !== 'end'),
      );
    }
    for (const [key, tails] of expectations) {
      for (const name of ['A', 'B']) {
        const count = received.get(name)!.filter((b) => b === key).length;
        assert.equal(count, tails.includes(name) ? 1 : 0, `${key} → ${name} ${count} times`);
      }
    }
    assert.deepEqual(
      received.get('C'),
      expectations.map(([key]) => key),
      'C receives every message, in order',
    );

    // The route tester, from the bindings alone, says the same.
    const queueOf = new Map([
      [A.queue, 'A'],
      [B.queue, 'B'],
      [C.queue, 'C'],
    ]);
    for (const [key, tails] of expectations) {
      const route = await testRoute(session.management(), vh.name, { exchange: 'topic_logs', routingKey: key });
      assert.deepEqual(route.queues.map((q) => queueOf.get(q)).sort(), [...tails, 'C'].sort(), key);
      assert.deepEqual(route.exchanges, []);
    }
  });
});
