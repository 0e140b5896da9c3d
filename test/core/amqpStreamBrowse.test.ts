import assert from 'node:assert/strict';
import type { ConfirmChannel } from 'amqplib';
import { browseStream } from '../../src/core/amqp/streamBrowser';
import { InputError } from '../../src/core/errors';
import { sleep, TestVhost } from './helpers/amqpBroker';

describe('browsing a stream queue from any offset (real RabbitMQ)', function () {
  this.timeout(60_000);
  let vh: TestVhost;
  let pub: ConfirmChannel;
  let secondBatchAt: number;

  before(async () => {
    vh = await TestVhost.create('stream');
    pub = await (await vh.raw('stream fixture')).createConfirmChannel();
    await pub.assertQueue('s', { durable: true, arguments: { 'x-queue-type': 'stream' } });
    for (let i = 0; i < 5; i++) pub.sendToQueue('s', Buffer.from(`m${i}`), { timestamp: 1_700_000_000 + i });
    await pub.waitForConfirms();
    await sleep(1_500);
    secondBatchAt = Math.floor(Date.now() / 1000);
    await sleep(1_100);
    for (let i = 5; i < 10; i++) pub.sendToQueue('s', Buffer.from(`m${i}`));
    await pub.waitForConfirms();
  });
  after(async () => {
    await vh.close();
  });

  it('from "first" gives offsets 0, 1, 2 with their timestamps', async () => {
    const { messages } = await browseStream(vh.session(), { queue: 's', offset: 'first', count: 3 }, { idleMs: 500 });
    assert.deepEqual(
      messages.map((m) => [m.offset, m.body, m.timestamp]),
      [
        [0, 'm0', '2023-11-14T22:13:20.000Z'],
        [1, 'm1', '2023-11-14T22:13:21.000Z'],
        [2, 'm2', '2023-11-14T22:13:22.000Z'],
      ],
    );
    assert.equal(messages[0]?.properties.headers, undefined, 'the x-stream-offset header is shown as the offset');
  });

  it('from a number gives that offset on, and "last" includes the last message', async () => {
    const from7 = await browseStream(vh.session(), { queue: 's', offset: 7, count: 10 }, { idleMs: 500 });
    assert.deepEqual(
      from7.messages.map((m) => m.offset),
      [7, 8, 9],
    );
    const last = await browseStream(vh.session(), { queue: 's', offset: 'last', count: 10 }, { idleMs: 500 });
    assert.equal(last.messages.at(-1)?.offset, 9);
  });

  it('from a timestamp starts at the chunk written then, and "next" waits for new messages only', async () => {
    const since = await browseStream(vh.session(), { queue: 's', offset: { timestamp: secondBatchAt }, count: 10 }, { idleMs: 500 });
    assert.deepEqual(
      since.messages.map((m) => m.body),
      ['m5', 'm6', 'm7', 'm8', 'm9'],
    );
    const next = await browseStream(vh.session(), { queue: 's', offset: 'next', count: 5 }, { idleMs: 500 });
    assert.deepEqual(next.messages, []);
  });

  it('refuses a bad offset or count before anything is sent', async () => {
    const s = vh.session();
    await assert.rejects(browseStream(s, { queue: 's', offset: -1, count: 1 }), InputError);
    await assert.rejects(browseStream(s, { queue: 's', offset: 'middle' as 'first', count: 1 }), /use "first", "last", "next"/);
    await assert.rejects(
      browseStream(s, { queue: 's', offset: { timestamp: 'yesterday' }, count: 1 }),
      /timestamp "yesterday" is not valid/,
    );
    await assert.rejects(browseStream(s, { queue: 's', offset: 'first', count: 0 }), /count 0 is not valid/);
  });
});
