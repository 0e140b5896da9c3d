/**
 * Tails and consumers beyond the tutorials: surviving a closed connection,
 * ending with a sentence when they cannot, ack modes, read-only profiles.
 */
import assert from 'node:assert/strict';
import type { AmqpSession } from '../../src/core/amqp/amqpSession';
import { startConsumer } from '../../src/core/amqp/consumer';
import type { AmqpMessage } from '../../src/core/amqp/messageProperties';
import { publish } from '../../src/core/amqp/publisher';
import { startTail, type ExchangeTail } from '../../src/core/amqp/tail';
import { bind, checkQueue, declareExchange, declareQueue, deleteExchange, deleteQueue } from '../../src/core/amqp/topology';
import { InputError, NotFoundError, ReadOnlyError, type BrokerError } from '../../src/core/errors';
import { TestVhost, waitFor } from './helpers/amqpBroker';

async function closeConnectionsNamed(vh: TestVhost, session: AmqpSession, prefix: string): Promise<number> {
  const m = session.management();
  const conns = await waitFor(`a connection named "${prefix}…"`, async () => {
    const page = await m.listConnections({ vhost: vh.name });
    const found = page.items.filter((c) => (c.clientName ?? '').startsWith(prefix));
    return found.length > 0 ? found : undefined;
  });
  for (const c of conns) await m.closeConnection(c.name, { reason: 'closed by the test' });
  return conns.length;
}

describe('tails and consumers (real RabbitMQ)', () => {
  let vh: TestVhost;
  let session: AmqpSession;
  const stoppers: { stop(): Promise<void> }[] = [];

  before(async () => {
    vh = await TestVhost.create('tail');
    session = vh.session();
  });
  afterEach(async () => {
    await Promise.all(stoppers.splice(0).map((s) => s.stop()));
  });
  after(async () => {
    await vh.close();
  });

  it('a tail resumes after the broker closes its connection, re-declaring and re-binding, and says so', async function () {
    this.timeout(30_000);
    await declareExchange(session, { name: 'events', type: 'topic', durable: false });
    const tail = await startTail(
      session,
      { exchange: 'events', bindingKeys: ['order.*'] },
      { recovery: { initialDelayMs: 100, maxDelayMs: 1_000 } },
    );
    stoppers.push(tail);
    const lifecycle: string[] = [];
    tail.on('lost', (e) => lifecycle.push(`lost: ${e.reason}`));
    tail.on('resumed', () => lifecycle.push('resumed'));
    tail.on('bound', () => lifecycle.push('bound'));
    const firstQueue = tail.queue;
    await publish(session, { exchange: 'events', routingKey: 'order.created', body: 'before' });
    assert.deepEqual(
      (await tail.read({ take: 1, timeoutMs: 5_000 })).map((m) => m.body),
      ['before'],
    );

    assert.equal(await closeConnectionsNamed(vh, session, 'broker-explorer tail events'), 1);
    await waitFor('resumed', () => lifecycle.includes('resumed'), 15_000);
    assert.match(lifecycle[0] ?? '', /^lost: .*closed by the test/);
    assert.deepEqual(lifecycle.slice(1), ['bound', 'resumed']);
    assert.notEqual(tail.queue, firstQueue, 'a new server-named queue');
    await assert.rejects(checkQueue(session, firstQueue), NotFoundError);

    await publish(session, { exchange: 'events', routingKey: 'order.paid', body: 'after' });
    await publish(session, { exchange: 'events', routingKey: 'user.created', body: 'not for us' });
    await publish(session, { exchange: 'events', routingKey: 'order.shipped', body: 'after 2' });
    assert.deepEqual(
      (await tail.read({ take: 2, timeoutMs: 5_000 })).map((m) => m.body),
      ['after', 'after 2'],
    );
    assert.equal(tail.running, true);
  });

  it('a tail whose exchange is gone when it reconnects ends with a sentence instead of retrying forever', async function () {
    this.timeout(30_000);
    await declareExchange(session, { name: 'doomed', type: 'fanout', durable: false });
    const tail = await startTail(session, { exchange: 'doomed' }, { recovery: { initialDelayMs: 50 } });
    stoppers.push(tail);
    const ended = new Promise<BrokerError | undefined>((resolve) => tail.on('ended', (e) => resolve(e.error)));
    await deleteExchange(session, { name: 'doomed' });
    await closeConnectionsNamed(vh, session, 'broker-explorer tail doomed');
    const error = await ended;
    assert.ok(error instanceof NotFoundError, String(error));
    assert.match(error.message, /^Tailing exchange "doomed" on profile "test" .* failed: no exchange 'doomed'/);
    assert.equal(tail.running, false);
  });

  it('starting a tail on a missing exchange, or on the default exchange, fails with a sentence', async () => {
    await assert.rejects(
      startTail(session, { exchange: 'missing-exchange', bindingKeys: ['k'] }),
      (err: unknown) => err instanceof NotFoundError && /no exchange 'missing-exchange'/.test(err.message),
    );
    await assert.rejects(startTail(session, { exchange: '' }), InputError);
  });

  it('a headers tail receives what its x-match arguments select, and iterates until stopped', async () => {
    await declareExchange(session, { name: 'hdrs', type: 'headers', durable: false });
    const tail: ExchangeTail = await startTail(session, {
      exchange: 'hdrs',
      bindingArguments: { 'x-match': 'any', level: 'error', source: 'db' },
    });
    await publish(session, { exchange: 'hdrs', routingKey: '', body: 'e', properties: { headers: { level: 'error' } } });
    await publish(session, { exchange: 'hdrs', routingKey: '', body: 'i', properties: { headers: { level: 'info' } } });
    await publish(session, { exchange: 'hdrs', routingKey: '', body: 'd', properties: { headers: { source: 'db', level: 'info' } } });
    const got: AmqpMessage[] = [];
    for await (const m of tail) {
      got.push(m);
      if (got.length === 2) await tail.stop();
    }
    assert.deepEqual(
      got.map((m) => m.body),
      ['e', 'd'],
    );
    assert.deepEqual(got[0]?.properties.headers, { level: 'error' });
    await assert.rejects(checkQueue(session, tail.queue), NotFoundError, 'stop deleted the queue');
  });

  it('"requeue" leaves every message in the queue; a read-only profile may consume that way but not with ack', async () => {
    await declareQueue(session, { name: 'keep', durable: false });
    for (let i = 0; i < 3; i++) await publish(session, { exchange: '', routingKey: 'keep', body: `k${i}` });
    const ro = vh.session({ readOnly: true });
    await assert.rejects(
      startConsumer(ro, { queue: 'keep' }),
      (err: unknown) => err instanceof ReadOnlyError && /read-only/.test(err.message),
    );
    await assert.rejects(startConsumer(ro, { queue: 'keep', ack: 'reject' }), ReadOnlyError);
    const c = await startConsumer(ro, { queue: 'keep', ack: 'requeue', prefetch: 3 });
    await c.read({ take: 3, timeoutMs: 5_000 });
    await c.stop();
    assert.ok(c.stats.requeued >= 3);
    assert.equal((await checkQueue(session, 'keep')).messageCount, 3);
  });

  it('"reject" dead-letters the messages', async () => {
    await declareExchange(session, { name: 'dlx', type: 'fanout', durable: false });
    await declareQueue(session, { name: 'dead', durable: false });
    await bind(session, { source: 'dlx', destination: 'dead', destinationType: 'queue' });
    await declareQueue(session, { name: 'rejecting', durable: false, arguments: { 'x-dead-letter-exchange': 'dlx' } });
    for (let i = 0; i < 2; i++) await publish(session, { exchange: '', routingKey: 'rejecting', body: `r${i}` });
    const c = await startConsumer(session, { queue: 'rejecting', ack: 'reject' });
    stoppers.push(c);
    await c.read({ take: 2, timeoutMs: 5_000 });
    await waitFor('dead-lettered', async () => (await checkQueue(session, 'dead')).messageCount === 2);
    assert.equal((await checkQueue(session, 'rejecting')).messageCount, 0);
  });

  it('a sink that fails stops the consumer and the message stays in the queue', async () => {
    await declareQueue(session, { name: 'fragile', durable: false });
    await publish(session, { exchange: '', routingKey: 'fragile', body: 'boom' });
    const c = await startConsumer(session, { queue: 'fragile' }, { sink: () => Promise.reject(new Error('disk full')) });
    const ended = await c.once('ended');
    assert.match(ended.error?.message ?? '', /Writing out a message of queue "fragile" .* failed: disk full/);
    await waitFor('the message back', async () => (await checkQueue(session, 'fragile')).messageCount === 1);
  });

  it('a consumer ends with a sentence when its queue is deleted, and cannot start on a missing queue', async () => {
    await declareQueue(session, { name: 'short-lived', durable: false });
    const c = await startConsumer(session, { queue: 'short-lived' }, { recovery: { initialDelayMs: 50 } });
    const lifecycle: string[] = [];
    c.on('lost', (e) => lifecycle.push(`lost: ${e.reason}`));
    const ended = c.once('ended');
    await deleteQueue(session, { name: 'short-lived' });
    const { error } = await ended;
    assert.ok(error instanceof NotFoundError, String(error));
    assert.deepEqual(lifecycle, ['lost: queue "short-lived" was deleted']);
    await assert.rejects(
      startConsumer(session, { queue: 'short-lived' }),
      (err: unknown) => err instanceof NotFoundError && /Consuming queue "short-lived" .* no queue 'short-lived'/.test(err.message),
    );
    await assert.rejects(startConsumer(session, { queue: 'x', prefetch: 0 }), /prefetch 0 is not valid/);
  });
});
