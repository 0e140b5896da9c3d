import assert from 'node:assert/strict';
import { AmqpSession } from '../../src/core/amqp/amqpSession';
import { peekMessages } from '../../src/core/amqp/peek';
import { publish } from '../../src/core/amqp/publisher';
import { checkQueue, declareQueue } from '../../src/core/amqp/topology';
import { InputError, NotFoundError } from '../../src/core/errors';
import { PASSWORD, TestVhost } from './helpers/amqpBroker';

describe('peek (real RabbitMQ)', () => {
  let vh: TestVhost;
  let session: AmqpSession;

  before(async () => {
    vh = await TestVhost.create('peek');
    session = vh.session();
    await declareQueue(session, { name: 'classic', durable: true });
    await declareQueue(session, { name: 'quorum', durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await declareQueue(session, { name: 'stream', durable: true, arguments: { 'x-queue-type': 'stream' } });
    for (const queue of ['classic', 'quorum', 'stream']) {
      for (let i = 0; i < 5; i++)
        await publish(session, {
          exchange: '',
          routingKey: queue,
          body: `${queue} ${i}`,
          properties: { persistent: true, messageId: `m${i}` },
        });
    }
  });
  after(async () => {
    await vh.close();
  });

  it('peeking at 3 of 5 messages leaves the queue depth unchanged and shows the same messages again', async () => {
    const first = await peekMessages(session, { queue: 'classic', count: 3 });
    assert.deepEqual(
      first.messages.map((m) => m.body),
      ['classic 0', 'classic 1', 'classic 2'],
    );
    assert.equal(first.queueType, 'classic');
    assert.equal(first.messages[0]?.properties.messageId, 'm0');
    assert.match(first.note, /put them all back: the queue keeps every message, and the broker now flags them as redelivered/);
    assert.equal((await checkQueue(session, 'classic')).messageCount, 5);
    const again = await peekMessages(session, { queue: 'classic', count: 10 });
    assert.deepEqual(
      again.messages.map((m) => m.body),
      ['classic 0', 'classic 1', 'classic 2', 'classic 3', 'classic 4'],
    );
    assert.deepEqual(
      again.messages.map((m) => m.redelivered),
      [true, true, true, false, false],
    );
    assert.match(again.note, /only 5 ready/);
    assert.equal((await checkQueue(session, 'classic')).messageCount, 5);
  });

  it('peeking at a quorum queue warns about the delivery limit and keeps the depth', async () => {
    const r = await peekMessages(session, { queue: 'quorum', count: 2 });
    assert.deepEqual(
      r.messages.map((m) => m.body),
      ['quorum 0', 'quorum 1'],
    );
    assert.equal(r.queueType, 'quorum');
    assert.match(r.note, /delivery limit \(x-delivery-limit\)/);
    assert.equal((await checkQueue(session, 'quorum')).messageCount, 5);
  });

  it('peeking at a stream reads from the first offset with a consumer, and the stream keeps everything', async () => {
    const r = await peekMessages(session, { queue: 'stream', count: 3 });
    assert.deepEqual(
      r.messages.map((m) => m.body),
      ['stream 0', 'stream 1', 'stream 2'],
    );
    assert.equal(r.queueType, 'stream');
    assert.match(r.note, /x-stream-offset "first"/);
    const all = await peekMessages(session, { queue: 'stream', count: 50 }, { idleMs: 300 });
    assert.equal(all.messages.length, 5);
    assert.match(all.note, /The stream had only 5/);
  });

  it('without the management API the queue type is probed safely, streams included, and the shared connection survives', async () => {
    const noMgmt = new AmqpSession(vh.profile({ managementUrl: 'http://127.0.0.1:1' }), { password: PASSWORD });
    try {
      const shared = await noMgmt.connection();
      const c = await peekMessages(noMgmt, { queue: 'classic', count: 1 });
      assert.deepEqual(
        c.messages.map((m) => m.body),
        ['classic 0'],
      );
      const s = await peekMessages(noMgmt, { queue: 'stream', count: 2 });
      assert.deepEqual(
        s.messages.map((m) => m.body),
        ['stream 0', 'stream 1'],
      );
      assert.equal(s.queueType, 'stream');
      assert.equal(await noMgmt.connection(), shared);
      assert.equal((await checkQueue(noMgmt, 'classic')).messageCount, 5);
    } finally {
      await noMgmt.close();
    }
  });

  it('peeking at a missing queue is a NotFoundError; a bad count is refused', async () => {
    await assert.rejects(
      peekMessages(session, { queue: 'nope', count: 1 }),
      (err: unknown) => err instanceof NotFoundError && /queue "nope"/.test(err.message),
    );
    await assert.rejects(
      peekMessages(session, { queue: 'nope', count: 1, queueType: 'classic' }),
      (err: unknown) => err instanceof NotFoundError && /no queue 'nope'/.test(err.message),
    );
    await assert.rejects(peekMessages(session, { queue: 'classic', count: 0 }), InputError);
  });
});
