import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Channel, ConfirmChannel } from 'amqplib';
import { exportMessages } from '../../src/core/amqp/messageExport';
import { checkQueue } from '../../src/core/amqp/topology';
import { ReadOnlyError } from '../../src/core/errors';
import { mgmt, TestVhost, waitFor } from './helpers/amqpBroker';

const HEADERS = { long5: { '!': 'long', value: 5 }, s: 'text', f: { '!': 'float', value: 1.5 } };

/** The messageIds and typed headers in the queue, in order, read with a plain consumer that gives them all back. */
async function contents(ch: Channel, queue: string, n: number): Promise<{ ids: string[]; headers: unknown[]; bodies: string[] }> {
  const ids: string[] = [];
  const headers: unknown[] = [];
  const bodies: string[] = [];
  await ch.prefetch(0);
  let all: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (all = resolve));
  const { consumerTag } = await ch.consume(queue, (msg) => {
    if (!msg) return;
    ids.push(String(msg.properties.messageId));
    headers.push(msg.properties.headers);
    bodies.push(msg.content.toString('hex'));
    if (ids.length === n) all();
  });
  await done;
  await ch.cancel(consumerTag);
  await ch.recover(); // gives every one back, in place
  return { ids, headers, bodies };
}

describe('peek export with a bounded number of unacked messages (real RabbitMQ)', function () {
  this.timeout(180_000);
  let vh: TestVhost;
  let pub: ConfirmChannel;
  const path = join(tmpdir(), `be-export-bounded-${process.pid}.jsonl`);

  before(async () => {
    vh = await TestVhost.create('export-bounded');
    pub = await (await vh.raw('export-bounded fixture')).createConfirmChannel();
  });
  after(async () => {
    await rm(path, { force: true });
    await vh.close();
  });

  it('exports a 5,000-message queue with at most 500 unacked, leaving the same messages in the same order', async () => {
    await pub.assertQueue('deep', { durable: true });
    for (let i = 0; i < 5_000; i++)
      pub.sendToQueue('deep', i % 7 === 0 ? Buffer.from([0, 255, i & 0xff]) : Buffer.from(`message ${i}`), {
        messageId: `m${i}`,
        persistent: true,
        headers: { ...HEADERS, i },
      });
    await pub.waitForConfirms();
    const s = vh.session();
    const ch = await (await vh.raw('export-bounded reader')).createChannel();
    const before = await contents(ch, 'deep', 5_000);
    await ch.close();

    // The broker's own count of unacked messages on the queue, sampled while the export runs (once its statistics show the read above given back).
    await waitFor(
      'the statistics to show no unacked message',
      async () =>
        (
          (await mgmt('GET', `/api/queues/${encodeURIComponent(vh.name)}/deep?columns=messages_unacknowledged`)).body as {
            messages_unacknowledged?: number;
          }
        ).messages_unacknowledged === 0,
      30_000,
      250,
    );
    let brokerMax = 0;
    let sampling = true;
    const sampler = (async (): Promise<void> => {
      while (sampling) {
        const q = await mgmt('GET', `/api/queues/${encodeURIComponent(vh.name)}/deep?columns=messages_unacknowledged`);
        const n = (q.body as { messages_unacknowledged?: number }).messages_unacknowledged ?? 0;
        brokerMax = Math.max(brokerMax, n);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const result = await exportMessages(s, { queue: 'deep', path, mode: 'peek' }, { maxUnacked: 500 });
    sampling = false;
    await sampler;

    assert.equal(result.exported, 5_000);
    assert.equal(result.rotated, true);
    assert.equal(result.stoppedBecause, undefined);
    assert.ok(result.maxUnacked <= 500 && result.maxUnacked > 0, `at most ${result.maxUnacked} unacked`);
    assert.ok(brokerMax <= 500, `the broker saw ${brokerMax} unacked`);
    assert.equal((await checkQueue(s, 'deep')).messageCount, 5_000);
    const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { properties: { messageId: string } }).properties.messageId),
      before.ids,
    );
    const after = await contents(await (await vh.raw('export-bounded reader 2')).createChannel(), 'deep', 5_000);
    assert.deepEqual(after.ids, before.ids, 'same messages, same order');
    assert.deepEqual(after.bodies, before.bodies, 'same bodies, byte for byte');
    assert.deepEqual(after.headers, before.headers, 'same headers (as amqplib decodes them)');
  });

  it('a short peek still holds and requeues (no republish), and a read-only profile refuses a peek past the bound (it would republish)', async () => {
    await pub.assertQueue('short', { durable: true });
    for (let i = 0; i < 50; i++) pub.sendToQueue('short', Buffer.from(`s${i}`), { messageId: `s${i}` });
    await pub.waitForConfirms();
    const result = await exportMessages(vh.session(), { queue: 'short', path, mode: 'peek' }, { maxUnacked: 500 });
    assert.deepEqual([result.exported, result.rotated, result.maxUnacked], [50, false, 50]);
    await assert.rejects(
      exportMessages(vh.session({ readOnly: true }), { queue: 'deep', path, mode: 'peek' }, { maxUnacked: 500 }),
      (err: Error) =>
        err instanceof ReadOnlyError &&
        /is read-only, so a peek at the 5000 messages of queue "deep" \(more than 500 unacked/.test(err.message),
    );
    const bounded = await exportMessages(
      vh.session({ readOnly: true }),
      { queue: 'deep', path, mode: 'peek', count: 400 },
      { maxUnacked: 500 },
    );
    assert.deepEqual([bounded.exported, bounded.rotated], [400, false]);
    assert.equal((await checkQueue(vh.session(), 'deep')).messageCount, 5_000);
  });
});
