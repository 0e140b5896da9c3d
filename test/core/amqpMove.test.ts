import assert from 'node:assert/strict';
import type { Channel, ConfirmChannel } from 'amqplib';
import { moveMessages } from '../../src/core/amqp/messageMover';
import { checkQueue } from '../../src/core/amqp/topology';
import { InputError, NotFoundError, ReadOnlyError } from '../../src/core/errors';
import { mgmt, sleep, TestVhost, waitFor } from './helpers/amqpBroker';

/** Publishes `n` messages with messageId `${prefix}${i}` on a confirm channel. */
async function fill(ch: ConfirmChannel, exchange: string, routingKey: string, n: number, prefix: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    ch.publish(exchange, routingKey, Buffer.from(`${prefix} body ${i}`), {
      messageId: `${prefix}${i}`,
      persistent: true,
      headers: { 'x-n': i },
    });
    if (i % 1000 === 999) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
}

interface Drained {
  ids: string[];
  moveIds: Set<unknown>;
}

/** Consumes and acks everything in `queue` (until it is empty for 500 ms). */
async function drain(ch: Channel, queue: string): Promise<Drained> {
  const ids: string[] = [];
  const moveIds = new Set<unknown>();
  await ch.prefetch(1000);
  let last = Date.now();
  const { consumerTag } = await ch.consume(queue, (msg) => {
    if (!msg) return;
    last = Date.now();
    ids.push(String(msg.properties.messageId));
    moveIds.add((msg.properties.headers ?? {})['x-be-move-id']);
    ch.ack(msg);
  });
  await waitFor(`queue "${queue}" to drain`, () => Date.now() - last > 500, 120_000);
  await ch.cancel(consumerTag);
  return { ids, moveIds };
}

describe('moving messages without loss (real RabbitMQ)', function () {
  this.timeout(180_000);
  let vh: TestVhost;
  let pub: ConfirmChannel;
  let ch: Channel;

  before(async () => {
    vh = await TestVhost.create('move');
    const raw = await vh.raw('move fixture');
    pub = await raw.createConfirmChannel();
    ch = await raw.createChannel();
  });
  after(async () => {
    await vh.close();
  });

  it('moves 3 of 10 messages to another queue keeping properties and headers, marked with the run id', async () => {
    await ch.assertQueue('m.src');
    await ch.assertQueue('m.dst');
    await fill(pub, '', 'm.src', 10, 'm');
    const session = vh.session();
    const r = await moveMessages(session, { queue: 'm.src', toQueue: 'm.dst', count: 3 });
    assert.equal(r.moved, 3);
    assert.equal(r.kept, 7);
    assert.equal(r.stoppedBecause, undefined);
    const got = await ch.get('m.dst', { noAck: true });
    assert.ok(got);
    assert.equal(got.properties.messageId, 'm0');
    assert.equal(got.properties.deliveryMode, 2);
    assert.equal(got.content.toString(), 'm body 0');
    assert.deepEqual(got.properties.headers, { 'x-n': 0, 'x-be-move-id': r.moveId });
    assert.equal((await checkQueue(session, 'm.dst')).messageCount, 2);
  });

  it('replays 10,000 dead-lettered messages to where they were first published: counts match and none is lost', async () => {
    await ch.assertExchange('orders', 'direct');
    await ch.assertExchange('dlx', 'fanout');
    await ch.assertQueue('work', { arguments: { 'x-dead-letter-exchange': 'dlx' } });
    await ch.assertQueue('other');
    await ch.bindQueue('work', 'orders', 'new');
    await ch.bindQueue('other', 'orders', 'cc-key');
    await ch.assertQueue('dead');
    await ch.bindQueue('dead', 'dlx', '');
    await fill(pub, 'orders', 'new', 10_000, 'o');
    // One more, published with a CC key: only its first routing key is replayed.
    pub.publish('orders', 'new', Buffer.from('cc'), { messageId: 'cc', CC: ['cc-key'] });
    await pub.waitForConfirms();
    await ch.purgeQueue('other');
    const rejecter = await (await vh.raw('rejecter')).createChannel();
    await rejecter.prefetch(1000);
    await rejecter.consume('work', (msg) => msg && rejecter.nack(msg, false, false));
    await waitFor('10,001 dead letters', async () => (await ch.checkQueue('dead')).messageCount === 10_001, 60_000);
    await rejecter.close();

    const session = vh.session();
    const started = Date.now();
    const r = await moveMessages(session, { queue: 'dead', replayDeadLetters: true });
    const seconds = (Date.now() - started) / 1000;
    console.log(`      replayed ${r.moved} dead letters in ${seconds.toFixed(2)} s (${Math.round(r.moved / seconds)} msg/s)`);
    assert.equal(r.moved, 10_001);
    assert.equal(r.kept, 0);
    assert.equal(r.stoppedBecause, undefined);
    assert.equal((await ch.checkQueue('other')).messageCount, 0, 'the CC key is not republished');
    const back = await drain(ch, 'work');
    assert.equal(back.ids.length, 10_001);
    assert.equal(new Set(back.ids).size, 10_001, '0 lost, 0 duplicated');
    assert.deepEqual([...back.moveIds], [r.moveId]);
  });

  it('a message that is not dead-lettered stops the replay and stays in the queue', async () => {
    await ch.assertQueue('plain');
    await fill(pub, '', 'plain', 2, 'p');
    const r = await moveMessages(vh.session(), { queue: 'plain', replayDeadLetters: true });
    assert.equal(r.moved, 0);
    assert.equal(r.kept, 2);
    assert.match(r.stoppedBecause ?? '', /could not be replayed because it has no "x-first-death-exchange" header.*2 remain there\.$/);
  });

  it('an unroutable target stops the move with a sentence and the message is kept', async () => {
    await ch.assertExchange('nowhere', 'direct');
    await ch.assertQueue('u.src');
    await fill(pub, '', 'u.src', 3, 'u');
    const r = await moveMessages(vh.session(), { queue: 'u.src', toExchange: 'nowhere', routingKey: 'x' });
    assert.equal(r.moved, 0);
    assert.equal(r.kept, 3);
    assert.match(
      r.stoppedBecause ?? '',
      /^A message could not be routed to exchange "nowhere" with routing key "x" \(nothing is bound for it\), so it stays in queue "u.src"; bind a queue or choose another target\. Moved 0 from queue "u.src" on profile "test"; 3 remain there\.$/,
    );
  });

  it('killing the AMQP connection mid-move loses nothing, reconnects, and flags the possible duplicates', async () => {
    const total = 20_000;
    await ch.assertQueue('k.src');
    await ch.assertQueue('k.dst');
    await fill(pub, '', 'k.src', total, 'k');
    let killed = false;
    let killing = false;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const kill = async (): Promise<void> => {
      const v = encodeURIComponent(vh.name);
      const name = await waitFor('the move connection', async () => {
        const list = (await mgmt('GET', `/api/vhosts/${v}/connections`)).body as { name: string; user_provided_name?: string }[];
        return list.find((c) => c.user_provided_name === 'broker-explorer move k.src')?.name;
      });
      const reply = await mgmt('DELETE', `/api/connections/${encodeURIComponent(name)}`, undefined, { 'x-reason': 'test kill' });
      killed = reply.status === 204;
      console.log(`      killed ${name} → ${reply.status}`);
    };
    const r = await moveMessages(
      vh.session(),
      { queue: 'k.src', toQueue: 'k.dst' },
      {
        prefetch: 100,
        onProgress: ({ moved }) => {
          if (moved >= 2_000 && !killing) {
            killing = true;
            void kill();
          }
          // Until the kill lands (the management API lists a new connection within a few seconds), 1 ms per message.
          if (!killed) Atomics.wait(pause, 0, 0, 1);
        },
      },
    );
    assert.ok(killed, 'the connection was killed');
    assert.equal(r.stoppedBecause, undefined);
    const left = await drain(ch, 'k.src');
    const moved = await drain(ch, 'k.dst');
    const unique = new Set([...left.ids, ...moved.ids]);
    assert.equal(unique.size, total, '0 lost');
    const duplicates = moved.ids.length - new Set(moved.ids).size;
    console.log(`      moved ${r.moved}, ${duplicates} duplicate(s), ${r.possibleDuplicates ?? 0} flagged, ${left.ids.length} left`);
    assert.ok(duplicates <= (r.possibleDuplicates ?? 0), `${duplicates} duplicates, ${r.possibleDuplicates ?? 0} flagged`);
    assert.equal(left.ids.length, 0, 'all of them were moved');
    assert.equal(r.kept, 0);
    // Copies whose confirm was lost with the connection are in the target without being counted as moved.
    assert.ok(moved.ids.length >= r.moved);
  });

  it('cancelling leaves every message in the source or in the target', async () => {
    const total = 5_000;
    await ch.assertQueue('c.src');
    await ch.assertQueue('c.dst');
    await fill(pub, '', 'c.src', total, 'c');
    const controller = new AbortController();
    const r = await moveMessages(
      vh.session(),
      { queue: 'c.src', toQueue: 'c.dst' },
      { signal: controller.signal, prefetch: 50, onProgress: ({ moved }) => moved >= 1_000 && controller.abort() },
    );
    assert.match(r.stoppedBecause ?? '', /^Cancelled after \d+ message\(s\)\. Moved \d+ from queue "c.src"/);
    assert.ok(r.moved >= 1_000 && r.moved < total, `moved ${r.moved}`);
    await sleep(100);
    const dst = (await ch.checkQueue('c.dst')).messageCount;
    assert.equal(dst, r.moved);
    assert.equal(r.kept + dst, total);
  });

  it('refuses bad input and a read-only profile before anything is sent, and names a missing target', async () => {
    const session = vh.session();
    await ch.assertQueue('b.src');
    await assert.rejects(moveMessages(session, { queue: 'b.src' }), InputError);
    await assert.rejects(moveMessages(session, { queue: 'b.src', toQueue: 'b.src' }), /both the source and the target/);
    await assert.rejects(moveMessages(session, { queue: 'b.src', toQueue: 'x', count: 0 }), /count 0 is not valid/);
    await assert.rejects(moveMessages(session, { queue: 'b.src', toQueue: 'x', replayDeadLetters: true }), /exactly one target/);
    await assert.rejects(moveMessages(session, { queue: 'b.src', toQueue: 'missing' }), NotFoundError);
    await assert.rejects(moveMessages(session, { queue: 'missing', toQueue: 'b.src' }), NotFoundError);
    const ro = vh.session({ name: 'ro', readOnly: true });
    await assert.rejects(
      moveMessages(ro, { queue: 'b.src', toQueue: 'm.dst' }),
      (err: unknown) =>
        err instanceof ReadOnlyError && /^Profile "ro" is read-only, so moving messages from queue "b.src"/.test(err.message),
    );
  });
});
